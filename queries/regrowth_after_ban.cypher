// id: regrowth_after_ban
// title: Regrowth: accounts born on a banned account's infrastructure
// category: timing
// revision: 1
// description: Accounts created within N hours after a ban that share an IP, payment
//   instrument or client fingerprint with the banned account: a hydra replaces a banned head
//   on the same infrastructure. Infrastructure shared by more than max_sharing accounts and
//   carrier-NAT IPs are ignored.
// param: hours integer = 72 | how soon after the ban a new account counts as regrowth
// param: max_sharing integer = 50 | ignore infrastructure shared by more accounts than this
// --- table
MATCH (b:Account)
WHERE b.banned_at IS NOT NULL
MATCH (b)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(n:Account)
WHERE n <> b AND n.created_at >= b.banned_at AND n.created_at <= b.banned_at + duration({hours: $hours})
  AND coalesce(x.is_cgnat, false) = false
  AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
WITH n, b, collect(DISTINCT labels(x)[0] + ' ' + coalesce(x.ip, x.instrument_id, x.fingerprint)) AS shared
RETURN n.account_id AS account_id, n.created_at AS created_at, b.account_id AS banned_account,
       b.banned_at AS banned_at,
       round(duration.inSeconds(b.banned_at, n.created_at).seconds / 3600.0, 1) AS hours_after_ban,
       shared AS shared_infrastructure, n.status AS status, n.risk_score AS risk_score
ORDER BY hours_after_ban, account_id, banned_account
LIMIT $limit;
// --- graph
MATCH (b:Account)
WHERE b.banned_at IS NOT NULL
MATCH path = (b)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(n:Account)
WHERE n <> b AND n.created_at >= b.banned_at AND n.created_at <= b.banned_at + duration({hours: $hours})
  AND coalesce(x.is_cgnat, false) = false
  AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
RETURN path
LIMIT $limit;
// --- count
MATCH (n:Account)
WHERE n.created_at IS NOT NULL
RETURN count(CASE WHEN EXISTS {
         MATCH (n)-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]->(x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(b:Account)
         WHERE b <> n AND b.banned_at IS NOT NULL AND n.created_at >= b.banned_at
           AND n.created_at <= b.banned_at + duration({hours: $hours})
           AND coalesce(x.is_cgnat, false) = false
           AND COUNT { (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(:Account) } <= $max_sharing
       } THEN n END) AS matched,
       count(n) AS total
LIMIT 1;
