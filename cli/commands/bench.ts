// conlab bench: placeholder replaced below
export function benchCommand(): number {
  return 0
}
