// Bundle entry: the launcher imports `main` from the bundle.
export { main } from './main'
