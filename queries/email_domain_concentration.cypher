// id: email_domain_concentration
// title: Accounts per email domain
// category: client
// revision: 1
// description: Email domains ranked by the accounts registered with them, with the window in
//   which those accounts were created and how many are banned or flagged. A throwaway domain
//   whose accounts were all created in one week is a lead; a webmail provider is not.
// param: min_accounts integer = 3 | fewest accounts on one domain
// param: max_accounts integer = 100000 | most accounts on one domain (drops webmail giants)
// --- table
MATCH (d:EmailDomain)<-[:REGISTERED_WITH]-(a:Account)
WITH d, collect(a) AS accounts, min(a.created_at) AS first_created, max(a.created_at) AS last_created
WHERE size(accounts) >= $min_accounts AND size(accounts) <= $max_accounts
RETURN d.domain AS domain, size(accounts) AS accounts, first_created, last_created,
       size([a IN accounts WHERE a.status = 'banned']) AS banned,
       size([a IN accounts WHERE coalesce(a.risk_score, 0.0) > 0]) AS flagged,
       [a IN accounts | a.account_id][..25] AS account_ids
ORDER BY accounts DESC, domain
LIMIT $limit;
// --- count
MATCH (d:EmailDomain)
WITH d, COUNT { (d)<-[:REGISTERED_WITH]-(:Account) } AS n
RETURN count(CASE WHEN n >= $min_accounts AND n <= $max_accounts THEN d END) AS matched, count(d) AS total
LIMIT 1;
