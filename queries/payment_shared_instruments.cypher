// id: payment_shared_instruments
// title: Accounts sharing a payment instrument, rarest sharing first
// category: payment
// revision: 1
// description: Payment instruments used by several accounts, weighted by how rare the sharing
//   is: an instrument shared by n accounts weighs 1/(n - 1), so a card shared by 3 accounts
//   (0.5) says far more than a corporate card shared by 40 (0.026). Corporate cards are a hard
//   negative: read the weight together with the number of organisations.
// param: min_accounts integer = 2 | fewest accounts on one instrument (at least 2)
// param: max_accounts integer = 1000 | most accounts on one instrument (drops giant shared cards)
// param: kind string = null | only this instrument kind; null for every kind
// choices: kind = card, virtual_card, prepaid, bank
// --- table
MATCH (p:PaymentInstrument)<-[:PAID_WITH]-(a:Account)
WHERE $kind IS NULL OR p.kind = $kind
WITH p, collect(a) AS accounts, collect(DISTINCT a.org_id) AS orgs
WITH p, accounts, orgs, size(accounts) AS n
WHERE n >= 2 AND n >= $min_accounts AND n <= $max_accounts
RETURN p.instrument_id AS instrument_id, p.kind AS kind, p.bin AS bin, n AS accounts,
       round(1.0 / (n - 1), 4) AS rarity_weight, size(orgs) AS orgs,
       size([x IN accounts WHERE x.status = 'banned']) AS banned,
       [x IN accounts | x.account_id][..25] AS account_ids
ORDER BY rarity_weight DESC, banned DESC, instrument_id
LIMIT $limit;
// --- graph
MATCH (p:PaymentInstrument)
WHERE $kind IS NULL OR p.kind = $kind
WITH p, COUNT { (p)<-[:PAID_WITH]-(:Account) } AS n
WHERE n >= 2 AND n >= $min_accounts AND n <= $max_accounts
MATCH path = (p)<-[:PAID_WITH]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (p:PaymentInstrument)
WITH p, COUNT { (p)<-[:PAID_WITH]-(:Account) } AS n
RETURN count(CASE WHEN n >= 2 AND n >= $min_accounts AND n <= $max_accounts
                  AND ($kind IS NULL OR p.kind = $kind) THEN p END) AS matched,
       count(p) AS total
LIMIT 1;
