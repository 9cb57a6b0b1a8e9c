import { checkHealth } from '~/services/health.server'

// Public on purpose: load balancers call it. It reveals reachability, never addresses or secrets.
export async function loader() {
  const report = await checkHealth()
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } })
}
