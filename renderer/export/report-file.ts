// The run report as downloadable JSON or CSV: the lab's own serializers (engine/api/report-format.ts),
// the same the desktop app's save dialog writes — JSON is the report as the lab sent it (the keys of
// `conlab run --json`), CSV the engine's columns (those of `conlab run --out FILE.csv`).
export { reportFileName, reportToCsv, reportToJson } from '../../engine/api/report-format'
