import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'
import { CsrfInput } from './csrf-input'

/** One link-styled button that posts an intent about one row: make default, archive, remove, disable. */
export function RowAction({ intent, fields, danger = false, className, children }: { intent: string; fields: Record<string, string>; danger?: boolean; className?: string; children: ReactNode }) {
  return (
    <Form method="post" className={className}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" className={`text-xs underline ${danger ? 'text-red-700' : 'text-blue-700'}`}>
        {children}
      </button>
    </Form>
  )
}
