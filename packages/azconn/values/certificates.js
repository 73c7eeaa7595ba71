// The certificate report (crates/wasm certificates.rs), built by one call.

export function certificateReport(subject, issuer, serialNumber, notBefore, notAfter, notBeforeUnix, notAfterUnix, keySize,
  thumbprintSha1, thumbprintSha256, x5t, x5tS256, customKeyIdentifier, chainLength, warnings) {
  return {
    subject, issuer, serialNumber, notBefore, notAfter, notBeforeUnix, notAfterUnix, keyType: 'RSA', keySize,
    thumbprintSha1, thumbprintSha256, x5t, x5tS256, customKeyIdentifier, chainLength, warnings,
  };
}
