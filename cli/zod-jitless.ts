// Imported first by the CLI's entry, before any schema is built (zod reads the setting when it builds an
// object schema): zod compiles each object schema into a parser (`new Function`) on its first parse. The
// CLI parses each file once, so that compile costs more than it saves — a scenario validates in ~2 ms
// instead of ~6 ms. The results are the same (tests/unit/zod-jitless.test.ts).
import { z } from 'zod'

z.config({ jitless: true })
