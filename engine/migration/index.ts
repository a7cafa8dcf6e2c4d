// Live migration: the QEMU-faithful engine, its parameters and the analytic model it is checked against.
export * from './params'
export * from './migration'
export * from './analytic'
export * from './drive'
