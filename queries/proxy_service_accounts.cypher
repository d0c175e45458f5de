// id: proxy_service_accounts
// title: Accounts behind a proxy service
// category: infrastructure
// revision: 1
// description: Accounts whose traffic came through the egress IPs of a known proxy or reseller
//   service, with how much of each account's traffic went through it. Resellers mix distillation
//   traffic with honest customers' requests, so a high share plus other signals is what counts.
// param: service_id string = null | only this service; null for every service
// param: service_kind string = null | only services of this kind; null for every kind
// choices: service_kind = reseller, residential_proxy, vpn
// suggest: service_id = MATCH (s:ProxyService) RETURN s.service_id AS value ORDER BY value LIMIT 200
// --- table
MATCH (s:ProxyService)<-[:EGRESS_OF]-(i:IP)<-[c:CONNECTED_FROM]-(a:Account)
WHERE ($service_id IS NULL OR s.service_id = $service_id)
  AND ($service_kind IS NULL OR s.kind = $service_kind)
WITH a, s, count(DISTINCT i) AS egress_ips, sum(coalesce(c.requests, 0)) AS requests_via_service
RETURN a.account_id AS account_id, s.service_id AS service_id, s.name AS service, s.kind AS service_kind,
       egress_ips, requests_via_service, a.requests AS account_requests,
       round(toFloat(requests_via_service)
             / CASE WHEN coalesce(a.requests, 0) > 0 THEN a.requests ELSE 1 END, 3) AS share_via_service,
       a.status AS status, a.risk_score AS risk_score
ORDER BY requests_via_service DESC, account_id
LIMIT $limit;
// --- graph
MATCH path = (s:ProxyService)<-[:EGRESS_OF]-(:IP)<-[:CONNECTED_FROM]-(:Account)
WHERE ($service_id IS NULL OR s.service_id = $service_id)
  AND ($service_kind IS NULL OR s.kind = $service_kind)
RETURN path
LIMIT $limit;
// --- count
MATCH (a:Account)
RETURN count(CASE WHEN EXISTS {
         MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:EGRESS_OF]->(s:ProxyService)
         WHERE ($service_id IS NULL OR s.service_id = $service_id)
           AND ($service_kind IS NULL OR s.kind = $service_kind)
       } THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
