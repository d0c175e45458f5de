// id: account_newest_on_bad_infrastructure
// title: Newest accounts on known-bad infrastructure
// category: infrastructure
// revision: 1
// description: Accounts not (yet) banned that share an IP, payment instrument or client
//   fingerprint with a banned account or a member of a flagged cluster, newest first: the
//   replacements a hydra grows after enforcement. Infrastructure shared by more than
//   max_sharing accounts (carrier NAT, big corporate egress) and CGNAT IPs are ignored.
// param: since datetime = null | only accounts created at or after this time
// param: max_sharing integer = 50 | ignore infrastructure shared by more accounts than this
// --- table
MATCH (bad:Account)
WHERE bad.status = 'banned' OR EXISTS { (bad)-[:MEMBER_OF]->(k:Cluster) WHERE k.flagged }
MATCH (bad)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(a:Account)
WHERE a <> bad AND coalesce(a.status, 'active') <> 'banned'
  AND ($since IS NULL OR a.created_at >= $since)
  AND coalesce(x.is_cgnat, false) = false
  AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
WITH a, collect(DISTINCT bad.account_id) AS bad_accounts,
     collect(DISTINCT labels(x)[0] + ' ' + coalesce(x.ip, x.instrument_id, x.fingerprint)) AS shared
RETURN a.account_id AS account_id, a.created_at AS created_at, a.status AS status,
       a.risk_score AS risk_score, size(bad_accounts) AS bad_neighbours, bad_accounts[..10] AS bad_accounts,
       shared[..10] AS shared_infrastructure
ORDER BY created_at DESC, account_id
LIMIT $limit;
// --- graph
MATCH (bad:Account)
WHERE bad.status = 'banned' OR EXISTS { (bad)-[:MEMBER_OF]->(k:Cluster) WHERE k.flagged }
MATCH path = (bad)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(a:Account)
WHERE a <> bad AND coalesce(a.status, 'active') <> 'banned'
  AND ($since IS NULL OR a.created_at >= $since)
  AND coalesce(x.is_cgnat, false) = false
  AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
RETURN path
LIMIT $limit;
// --- count
MATCH (a:Account)
WHERE coalesce(a.status, 'active') <> 'banned'
RETURN count(CASE WHEN ($since IS NULL OR a.created_at >= $since) AND EXISTS {
         MATCH (a)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(bad:Account)
         WHERE bad <> a AND coalesce(x.is_cgnat, false) = false
           AND (bad.status = 'banned' OR EXISTS { (bad)-[:MEMBER_OF]->(k:Cluster) WHERE k.flagged })
           AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
       } THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
