// Row ids are UUIDs: anything else from a URL or a form is "not found" before it reaches a query
// (PostgreSQL would reject it as a uuid with an error, not a miss).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value)
