// snappyjs ships no types: the one function the tests and the sample generator use.
declare module 'snappyjs' {
  const SnappyJS: { compress(input: Uint8Array): Uint8Array; uncompress(input: Uint8Array): Uint8Array };
  export default SnappyJS;
}
