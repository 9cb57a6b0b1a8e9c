/** The events a shop's ERP may subscribe to (also read by the settings page in the browser). */
export const WEBHOOK_EVENTS = ['refund.approved', 'refund.issued', 'refund.failed', 'case.state_changed', 'dispute.ruled'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]
