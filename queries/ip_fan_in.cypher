// id: ip_fan_in
// title: IP fan-in: accounts per IP with ASN, datacenter and VPN context
// category: infrastructure
// revision: 1
// description: IPs shared by many accounts, with the context that says whether sharing is
//   suspicious: a datacenter IP or a proxy-service egress shared by dozens of fresh accounts is
//   evidence; a carrier-NAT (CGNAT) or commercial VPN IP shared by thousands is not. CGNAT IPs
//   are left out unless asked for.
// param: min_accounts integer = 3 | fewest accounts on one IP
// param: include_cgnat boolean = false | list carrier-NAT IPs too
// --- table
MATCH (i:IP)<-[c:CONNECTED_FROM]-(a:Account)
WHERE $include_cgnat OR coalesce(i.is_cgnat, false) = false
WITH i, count(a) AS accounts, sum(coalesce(c.requests, 0)) AS requests,
     count(CASE WHEN a.status = 'banned' THEN 1 END) AS banned, collect(a.account_id)[..25] AS account_ids
WHERE accounts >= $min_accounts
RETURN i.ip AS ip, accounts, requests, banned,
       head([(i)-[:IN_ASN]->(x:ASN) | x.asn]) AS asn,
       head([(i)-[:IN_ASN]->(x:ASN) | x.as_org]) AS as_org,
       i.country AS country, i.is_datacenter AS datacenter, i.is_vpn AS vpn, i.is_cgnat AS cgnat,
       [(i)-[:EGRESS_OF]->(s:ProxyService) | s.name] AS proxy_services,
       account_ids
ORDER BY accounts DESC, ip
LIMIT $limit;
// --- graph
MATCH (i:IP)
WHERE ($include_cgnat OR coalesce(i.is_cgnat, false) = false)
  AND COUNT { (i)<-[:CONNECTED_FROM]-(:Account) } >= $min_accounts
MATCH path = (i)<-[:CONNECTED_FROM]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (i:IP)
WITH i, COUNT { (i)<-[:CONNECTED_FROM]-(:Account) } AS n
RETURN count(CASE WHEN n >= $min_accounts AND ($include_cgnat OR coalesce(i.is_cgnat, false) = false)
                  THEN i END) AS matched,
       count(i) AS total
LIMIT 1;
