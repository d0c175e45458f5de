// id: proxy_service_summary
// title: Proxy services: egress IPs, accounts and traffic
// category: infrastructure
// revision: 1
// description: One row per proxy or reseller service: its egress IPs, the accounts seen behind
//   them, their requests, and how many of those accounts are banned or in a flagged cluster.
// param: min_accounts integer = 1 | fewest accounts behind a service
// --- table
MATCH (s:ProxyService)
OPTIONAL MATCH (s)<-[:EGRESS_OF]-(i:IP)
OPTIONAL MATCH (i)<-[c:CONNECTED_FROM]-(a:Account)
WITH s, count(DISTINCT i) AS egress_ips, collect(DISTINCT a) AS accounts, sum(coalesce(c.requests, 0)) AS requests
WHERE size(accounts) >= $min_accounts
RETURN s.service_id AS service_id, s.name AS service, s.kind AS kind, egress_ips,
       size(accounts) AS accounts, requests,
       size([a IN accounts WHERE a.status = 'banned']) AS banned,
       size([a IN accounts WHERE EXISTS { (a)-[:MEMBER_OF]->(k:Cluster) WHERE k.flagged }]) AS in_flagged_clusters
ORDER BY accounts DESC, service_id
LIMIT $limit;
// --- graph
MATCH (s:ProxyService)
WHERE COUNT { MATCH (s)<-[:EGRESS_OF]-(:IP)<-[:CONNECTED_FROM]-(a:Account) RETURN DISTINCT a } >= $min_accounts
MATCH path = (s)<-[:EGRESS_OF]-(:IP)
RETURN path
LIMIT $limit;
// --- count
MATCH (s:ProxyService)
WITH s, COUNT { MATCH (s)<-[:EGRESS_OF]-(:IP)<-[:CONNECTED_FROM]-(a:Account) RETURN DISTINCT a } AS n
RETURN count(CASE WHEN n >= $min_accounts THEN s END) AS matched, count(s) AS total
LIMIT 1;
