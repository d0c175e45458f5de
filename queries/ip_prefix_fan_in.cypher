// id: ip_prefix_fan_in
// title: Accounts per network prefix (/24 or /64)
// category: infrastructure
// revision: 1
// description: Accounts spread over neighbouring addresses of one network: an operator that
//   rotates through a rented /24 keeps each IP's fan-in low, but the prefix gives it away.
// param: min_accounts integer = 5 | fewest accounts in one prefix
// param: include_cgnat boolean = false | count carrier-NAT addresses too
// --- table
MATCH (i:IP)<-[:CONNECTED_FROM]-(a:Account)
WHERE i.prefix IS NOT NULL AND ($include_cgnat OR coalesce(i.is_cgnat, false) = false)
WITH i.prefix AS prefix, collect(DISTINCT i) AS ips, collect(DISTINCT a) AS accounts
WHERE size(accounts) >= $min_accounts
RETURN prefix, size(ips) AS ips, size(accounts) AS accounts,
       size([i IN ips WHERE i.is_datacenter]) AS datacenter_ips,
       size([a IN accounts WHERE a.status = 'banned']) AS banned,
       [a IN accounts | a.account_id][..25] AS account_ids
ORDER BY accounts DESC, prefix
LIMIT $limit;
// --- count
MATCH (i:IP)
WHERE i.prefix IS NOT NULL
OPTIONAL MATCH (i)<-[:CONNECTED_FROM]-(a:Account)
WITH i.prefix AS prefix, count(DISTINCT a) AS n,
     all(x IN collect(i) WHERE coalesce(x.is_cgnat, false) = false) AS not_cgnat
RETURN count(CASE WHEN n >= $min_accounts AND ($include_cgnat OR not_cgnat) THEN prefix END) AS matched,
       count(prefix) AS total
LIMIT 1;
