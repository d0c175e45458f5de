// id: template_reuse
// title: Prompt templates reused across accounts
// category: content
// revision: 1
// description: Prompt templates (hashes of prompt skeletons) sent by several accounts, most
//   shared first, with the organisations behind them. Identical templates across unrelated,
//   fresh accounts are a coordination signal; one benchmark suite run by one lab is not.
// param: min_accounts integer = 3 | fewest accounts sending one template
// --- table
MATCH (t:PromptTemplate)<-[s:SENT]-(a:Account)
WITH t, count(a) AS accounts, sum(coalesce(s.requests, 0)) AS requests, collect(DISTINCT a.org_id) AS orgs,
     count(CASE WHEN a.status = 'banned' THEN 1 END) AS banned, collect(a.account_id)[..25] AS account_ids
WHERE accounts >= $min_accounts
RETURN t.template AS template, accounts, requests, size(orgs) AS orgs, banned, account_ids
ORDER BY accounts DESC, requests DESC, template
LIMIT $limit;
// --- graph
MATCH (t:PromptTemplate)
WHERE COUNT { (t)<-[:SENT]-(:Account) } >= $min_accounts
MATCH path = (t)<-[:SENT]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (t:PromptTemplate)
WITH t, COUNT { (t)<-[:SENT]-(:Account) } AS n
RETURN count(CASE WHEN n >= $min_accounts THEN t END) AS matched, count(t) AS total
LIMIT 1;
