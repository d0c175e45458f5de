// id: fingerprint_shared
// title: Client fingerprints shared by several accounts
// category: client
// revision: 1
// description: Client fingerprints (SDK, TLS and header signature) used by several accounts,
//   rarest sharing first (weight 1/(n - 1)). A stock SDK fingerprint is shared by thousands of
//   honest users; a custom harness fingerprint shared by a dozen fresh accounts is not.
// param: min_accounts integer = 2 | fewest accounts on one fingerprint (at least 2)
// param: max_accounts integer = 1000 | most accounts on one fingerprint
// --- table
MATCH (f:ClientFingerprint)<-[u:USED_CLIENT]-(a:Account)
WITH f, collect(a) AS accounts, sum(coalesce(u.requests, 0)) AS requests, collect(DISTINCT a.org_id) AS orgs
WITH f, accounts, requests, orgs, size(accounts) AS n
WHERE n >= 2 AND n >= $min_accounts AND n <= $max_accounts
RETURN f.fingerprint AS fingerprint, n AS accounts, requests, round(1.0 / (n - 1), 4) AS rarity_weight,
       size(orgs) AS orgs, size([x IN accounts WHERE x.status = 'banned']) AS banned,
       [x IN accounts | x.account_id][..25] AS account_ids
ORDER BY rarity_weight DESC, requests DESC, fingerprint
LIMIT $limit;
// --- graph
MATCH (f:ClientFingerprint)
WITH f, COUNT { (f)<-[:USED_CLIENT]-(:Account) } AS n
WHERE n >= 2 AND n >= $min_accounts AND n <= $max_accounts
MATCH path = (f)<-[:USED_CLIENT]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (f:ClientFingerprint)
WITH f, COUNT { (f)<-[:USED_CLIENT]-(:Account) } AS n
RETURN count(CASE WHEN n >= 2 AND n >= $min_accounts AND n <= $max_accounts THEN f END) AS matched,
       count(f) AS total
LIMIT 1;
