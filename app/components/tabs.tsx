import { Link } from '@remix-run/react'

/** Filter tabs as links: they work without JavaScript and keep the URL shareable. */
export function Tabs({ label, tabs, current }: { label: string; tabs: { key: string; label: string; href: string }[]; current: string }) {
  return (
    <nav aria-label={label} className="mb-3 flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((tab) => (
        <Link
          key={tab.key}
          to={tab.href}
          aria-current={tab.key === current ? 'page' : undefined}
          className={`-mb-px rounded-t border px-3 py-1.5 text-sm ${tab.key === current ? 'border-slate-200 border-b-white bg-white font-medium' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  )
}
