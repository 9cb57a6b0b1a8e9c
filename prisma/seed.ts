// `npx prisma db seed` and the run command: demo data, once.
import { createDb } from '~/infra/db.server'
import { seedDemoData } from './demo-data'

const url = process.env.DATABASE_URL
if (!url) {
  process.stderr.write('DATABASE_URL is required to seed\n')
  process.exit(1)
}
const db = createDb(url, 2)
try {
  const { seeded } = await seedDemoData(db, new Date())
  process.stdout.write(seeded ? 'Demo data seeded.\n' : 'Demo data already present; nothing seeded.\n')
} finally {
  await db.$disconnect()
}
