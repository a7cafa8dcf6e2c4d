// Bundle entry: the launcher imports `main` from the bundle.
import './zod-jitless'
export { main } from './main'
