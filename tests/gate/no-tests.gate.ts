// A test file that declares no test (a deleted describe, a wrong import): the run must fail.
export const nothingHere = true
