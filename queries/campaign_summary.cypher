// id: campaign_summary
// title: Campaign summary
// category: clusters
// revision: 1
// description: Campaigns (clusters the detector attributes to one operator): their clusters,
//   accounts, traffic, banned accounts, top capabilities and the evidence for grouping them.
// param: campaign_id string = null | only this campaign; null for every campaign
// suggest: campaign_id = MATCH (c:Campaign) RETURN c.campaign_id AS value ORDER BY coalesce(c.score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (c:Campaign)
WHERE $campaign_id IS NULL OR c.campaign_id = $campaign_id
OPTIONAL MATCH (c)<-[:PART_OF]-(k:Cluster)
OPTIONAL MATCH (k)<-[:MEMBER_OF]-(a:Account)
WITH c, collect(DISTINCT k.cluster_id) AS clusters, collect(DISTINCT a) AS accounts
CALL (c) {
  MATCH (c)<-[:PART_OF]-(:Cluster)<-[:MEMBER_OF]-(:Account)-[r:ASKED_FOR]->(cap:Capability)
  WITH cap.name AS capability, sum(coalesce(r.requests, 0)) AS requests
  ORDER BY requests DESC, capability
  RETURN collect(capability)[..3] AS top_capabilities
}
RETURN c.campaign_id AS campaign_id, c.name AS name, c.score AS score, size(clusters) AS cluster_count,
       size(accounts) AS accounts, size([a IN accounts WHERE a.status = 'banned']) AS banned,
       reduce(s = 0, a IN accounts | s + coalesce(a.requests, 0)) AS requests,
       top_capabilities, clusters[..20] AS clusters, c.evidence AS evidence
ORDER BY score DESC, accounts DESC, campaign_id
LIMIT $limit;
// --- graph
MATCH (c:Campaign)
WHERE $campaign_id IS NULL OR c.campaign_id = $campaign_id
MATCH path = (c)<-[:PART_OF]-(:Cluster)<-[:MEMBER_OF]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (a:Account)
RETURN count(CASE WHEN EXISTS {
         MATCH (a)-[:MEMBER_OF]->(:Cluster)-[:PART_OF]->(c:Campaign)
         WHERE $campaign_id IS NULL OR c.campaign_id = $campaign_id
       } THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
