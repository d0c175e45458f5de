// id: ingest_freshness
// title: Ingest freshness
// category: data_quality
// revision: 1
// description: The latest ingest runs, newest first: status, age in hours, rows read, loaded
//   and rejected, with the newest activity in the graph. Check it before trusting an empty
//   result: a stale or failed ingest looks exactly like a quiet week.
// --- table
CALL () {
  MATCH (a:Account)
  WHERE a.last_seen IS NOT NULL
  RETURN a.last_seen AS newest_activity
  ORDER BY a.last_seen DESC
  LIMIT 1
}
MATCH (r:IngestRun)
RETURN r.run_id AS run_id, r.status AS status, r.started_at AS started_at, r.ended_at AS ended_at,
       round(duration.inSeconds(r.started_at, datetime()).seconds / 3600.0, 1) AS age_hours,
       r.rows_read AS rows_read, r.rows_loaded AS rows_loaded, r.rows_rejected AS rows_rejected,
       r.source AS source, newest_activity
ORDER BY started_at DESC, run_id
LIMIT $limit;
// --- count
MATCH (r:IngestRun)
RETURN count(CASE WHEN r.status = 'succeeded' THEN r END) AS matched, count(r) AS total
LIMIT 1;
