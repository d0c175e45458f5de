// id: account_profile
// title: Account profile
// category: investigation
// revision: 2
// description: One account on one row: its properties, traffic, how many instruments, IPs,
//   fingerprints and templates it uses (and how many other accounts share them; own_templates:
//   templates only it ever sent, kept as a count, not as nodes), its top
//   capabilities and models, cluster, campaign, risk and enforcement history.
// param: account_id string | the account
// suggest: account_id = MATCH (a:Account) RETURN a.account_id AS value ORDER BY coalesce(a.risk_score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (a:Account {account_id: $account_id})
RETURN a.account_id AS account_id, a.created_at AS created_at, a.status AS status, a.org_id AS org_id,
       a.declared_country AS declared_country, a.tier AS tier, a.requests AS requests,
       a.first_seen AS first_seen, a.last_seen AS last_seen,
       COUNT { (a)-[:PAID_WITH]->(:PaymentInstrument) } AS instruments,
       COUNT { (a)-[:CONNECTED_FROM]->(:IP) } AS ips,
       COUNT { (a)-[:USED_CLIENT]->(:ClientFingerprint) } AS fingerprints,
       COUNT { (a)-[:SENT]->(:PromptTemplate) } + coalesce(a.solo_templates, 0) AS templates,
       coalesce(a.solo_templates, 0) AS own_templates,
       COUNT { MATCH (a)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT]->()<-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT]-(o:Account)
               WHERE o <> a RETURN DISTINCT o } AS accounts_sharing_infrastructure,
       [(a)-[r:ASKED_FOR]->(c:Capability) | [c.name, r.requests]] AS capabilities,
       [(a)-[r:CALLED]->(m:Model) | [m.name, r.requests]] AS models,
       [(a)-[:MEMBER_OF]->(k:Cluster) | k.cluster_id] AS clusters,
       [(a)-[:MEMBER_OF]->(:Cluster)-[:PART_OF]->(c:Campaign) | c.campaign_id] AS campaigns,
       a.risk_score AS risk_score, a.risk_reasons AS risk_reasons, a.banned_at AS banned_at,
       a.ban_reason AS ban_reason, a.triage_label AS triage_label
LIMIT $limit;
// --- graph
MATCH path = (:Account {account_id: $account_id})-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|SENT|REGISTERED_WITH|MEMBER_OF|HAS_KEY]->()
RETURN path
LIMIT $limit;
