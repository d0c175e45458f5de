// id: data_quality_checks
// title: Data quality checks
// category: data_quality
// revision: 1
// description: Gaps that weaken detection, each as failing of total with a percentage:
//   accounts without a creation time or any IP, IPs without an ASN or geolocation, instruments
//   without a kind or BIN, accounts with traffic but no capability labels, models without a
//   release time. Worst first.
// --- table
CALL () {
  MATCH (a:Account)
  RETURN 'accounts without created_at' AS check_name,
         count(CASE WHEN a.created_at IS NULL THEN a END) AS failing, count(a) AS total
  UNION ALL
  MATCH (a:Account)
  RETURN 'accounts without any IP' AS check_name,
         count(CASE WHEN NOT EXISTS { (a)-[:CONNECTED_FROM]->(:IP) } THEN a END) AS failing, count(a) AS total
  UNION ALL
  MATCH (a:Account)
  WHERE coalesce(a.requests, 0) > 0
  RETURN 'accounts with traffic but no capability' AS check_name,
         count(CASE WHEN NOT EXISTS { (a)-[:ASKED_FOR]->(:Capability) } THEN a END) AS failing,
         count(a) AS total
  UNION ALL
  MATCH (i:IP)
  RETURN 'IPs without ASN' AS check_name,
         count(CASE WHEN NOT EXISTS { (i)-[:IN_ASN]->(:ASN) } THEN i END) AS failing, count(i) AS total
  UNION ALL
  MATCH (i:IP)
  RETURN 'IPs without country' AS check_name,
         count(CASE WHEN i.country IS NULL THEN i END) AS failing, count(i) AS total
  UNION ALL
  MATCH (p:PaymentInstrument)
  RETURN 'instruments without kind or BIN' AS check_name,
         count(CASE WHEN p.kind IS NULL OR p.bin IS NULL THEN p END) AS failing, count(p) AS total
  UNION ALL
  MATCH (m:Model)
  RETURN 'models without released_at' AS check_name,
         count(CASE WHEN m.released_at IS NULL THEN m END) AS failing, count(m) AS total
}
RETURN check_name, failing, total,
       round(100.0 * failing / CASE WHEN total > 0 THEN total ELSE 1 END, 2) AS failing_pct
ORDER BY failing_pct DESC, check_name
LIMIT $limit;
