// id: asn_account_concentration
// title: Accounts per autonomous system
// category: infrastructure
// revision: 1
// description: Autonomous systems ranked by the accounts behind their IPs, with the share of
//   datacenter IPs: hydra clusters rent cloud capacity, so a hosting ASN with many small
//   accounts is worth a look, while a mobile carrier's ASN with many accounts is normal.
// param: min_accounts integer = 5 | fewest accounts behind one ASN
// --- table
MATCH (x:ASN)<-[:IN_ASN]-(i:IP)
OPTIONAL MATCH (i)<-[:CONNECTED_FROM]-(a:Account)
WITH x, count(DISTINCT i) AS ips, count(DISTINCT CASE WHEN i.is_datacenter THEN i END) AS datacenter_ips,
     collect(DISTINCT a) AS accounts
WHERE size(accounts) >= $min_accounts
RETURN x.asn AS asn, x.as_org AS as_org, ips, datacenter_ips,
       round(toFloat(datacenter_ips) / ips, 3) AS datacenter_share, size(accounts) AS accounts,
       size([a IN accounts WHERE a.status = 'banned']) AS banned
ORDER BY accounts DESC, asn
LIMIT $limit;
// --- count
MATCH (x:ASN)
WITH x, COUNT { MATCH (x)<-[:IN_ASN]-(:IP)<-[:CONNECTED_FROM]-(a:Account) RETURN DISTINCT a } AS n
RETURN count(CASE WHEN n >= $min_accounts THEN x END) AS matched, count(x) AS total
LIMIT 1;
