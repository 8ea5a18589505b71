/* The tfqkd conformance C ABI, version 1: how a third-party TF-QKD library plugs its codecs and
 * post-processing primitives into the tfqkd conformance harness (`tfqkd conformance --library`) and
 * into the differential fuzz target (fuzz/fuzz_differential). docs/vendor-guide.md, "Testing a
 * library through the C ABI", is the guide; this header is the contract.
 *
 * A vendor builds a shared library that exports the functions below (C linkage). Every function is
 * optional except tfqkd_abi_version and tfqkd_capabilities: a function that is absent, that is not
 * in the capability mask, or that returns TFQKD_NOT_IMPLEMENTED makes its tests "not implemented"
 * in the report, never "failed".
 *
 * Rules for every function:
 *   - Pure C, no exceptions, no longjmp across the boundary, no global state the harness must set up.
 *   - All buffers belong to the caller and come with explicit lengths. A function never writes past
 *     a capacity it is given and never keeps a pointer after it returns.
 *   - Byte strings are the wire form of docs/wire-format.md; bit strings are packed most significant
 *     bit first, bit k of a string is bit (7 - k % 8) of byte k / 8, padding bits zero (as the wire
 *     format's packed bits).
 *   - TFQKD_REJECTED means "the input is not valid" (a verdict about the input), distinct from
 *     TFQKD_NOT_IMPLEMENTED (the library does not do this) and TFQKD_BUFFER_TOO_SMALL (call again
 *     with at least *out_len bytes).
 *   - The harness calls each function in a child process with a time limit: a crash or a hang fails
 *     that test only, with the signal in the report.
 */
#ifndef TFQKD_CONFORMANCE_ABI_H
#define TFQKD_CONFORMANCE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Export marker for a library built with hidden visibility (what our reference library does). */
#if defined(__GNUC__)
#define TFQKD_ABI_EXPORT __attribute__((visibility("default")))
#else
#define TFQKD_ABI_EXPORT
#endif

/* The version of this header. A library returns the version it was built against; the harness
 * refuses a library whose major version it does not know (exit code 2). */
#define TFQKD_ABI_VERSION 1u

/* What a function returns. The numeric values are stable (they appear in reports). */
typedef enum tfqkd_status {
    TFQKD_OK = 0,                /* done; outputs written */
    TFQKD_REJECTED = 1,          /* the input is invalid; *reject says why (where a function has one) */
    TFQKD_NOT_IMPLEMENTED = 2,   /* this library does not implement the function (or this message type) */
    TFQKD_BUFFER_TOO_SMALL = 3,  /* the output does not fit; *out_len holds the size needed */
    TFQKD_INVALID_ARGUMENT = 4,  /* a null pointer or an argument outside the function's contract */
    TFQKD_INTERNAL_ERROR = 5     /* anything else (out of memory, ...) */
} tfqkd_status;

/* Capability bits of tfqkd_capabilities(). */
#define TFQKD_CAP_DECODE_MESSAGE 0x01u    /* tfqkd_decode_message */
#define TFQKD_CAP_DECODE_FRAME 0x02u      /* tfqkd_decode_frame */
#define TFQKD_CAP_VERIFICATION_HASH 0x04u /* tfqkd_verification_hash */
#define TFQKD_CAP_TOEPLITZ 0x08u          /* tfqkd_toeplitz */
#define TFQKD_CAP_KEY_LENGTH 0x10u        /* tfqkd_key_length */

/* Why an input was rejected (docs/wire-format.md section 6, WF-ENC-8). Strings are NUL-terminated
 * and truncated to fit; an implementation that cannot name the field leaves it empty. */
typedef struct tfqkd_reject {
    uint16_t code;      /* an error code of section 6: 1 truncated, 2 trailing_data, 3 out_of_range, ... */
    char message[48];   /* what was being decoded: "frame" or the message name ("detection_report") */
    char field[64];     /* the field as named in the spec ("event_count", "events[].click") */
} tfqkd_reject;

/* The ABI version the library was built against: return TFQKD_ABI_VERSION. */
TFQKD_ABI_EXPORT uint32_t tfqkd_abi_version(void);

/* The TFQKD_CAP_* bits of the functions this library implements. */
TFQKD_ABI_EXPORT uint32_t tfqkd_capabilities(void);

/* Decodes `in` as the payload of a message of `type` (the type byte of docs/wire-format.md
 * section 5, e.g. 0x10 detection_report) and re-encodes the decoded message canonically (WF-ENC-6)
 * into `out`.
 *   TFQKD_OK:               *out_len = bytes written to out (the canonical encoding)
 *   TFQKD_REJECTED:         the payload is invalid; *reject filled (out untouched)
 *   TFQKD_BUFFER_TOO_SMALL: *out_len = bytes needed
 *   TFQKD_NOT_IMPLEMENTED:  this message type (or decoding at all) is not implemented
 * `in` may be NULL when in_len is 0. */
TFQKD_ABI_EXPORT tfqkd_status tfqkd_decode_message(uint8_t type, const uint8_t* in, size_t in_len, uint8_t* out,
                                                   size_t out_cap, size_t* out_len, tfqkd_reject* reject);

/* Decodes `in` as exactly one whole frame (docs/wire-format.md section 3: header, payload decoded as
 * the message of the frame's type, tag) and re-encodes it canonically into `out`, the tag copied as
 * received (verifying tags is not a codec's business). Statuses as tfqkd_decode_message. */
TFQKD_ABI_EXPORT tfqkd_status tfqkd_decode_frame(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                                                 size_t* out_len, tfqkd_reject* reject);

/* The verification hash h_k of docs/postprocessing.md, "Verification": the polynomial hash over
 * GF(2^128) = GF(2)[x] / (x^128 + x^7 + x^2 + x + 1) of the `bit_length`-bit message in `data`
 * (ceil(bit_length / 8) bytes, packed bits) under the 16-byte key `key`, written to out[16]. */
TFQKD_ABI_EXPORT tfqkd_status tfqkd_verification_hash(const uint8_t key[16], const uint8_t* data,
                                                      uint64_t bit_length, uint8_t out[16]);

/* Toeplitz privacy amplification (docs/postprocessing.md, "Privacy amplification"): y = T x with
 * T[i][j] = s[i - j + n - 1], x the n = input_bits-bit input, s the (n + l - 1)-bit seed, y the
 * l = output_bits-bit output, all packed bits. `out` has out_cap bytes; ceil(l / 8) are written.
 *   TFQKD_REJECTED:         n = 0, l = 0 or l > n (no matrix of that shape is a privacy amplification)
 *   TFQKD_BUFFER_TOO_SMALL: out_cap < ceil(l / 8) */
TFQKD_ABI_EXPORT tfqkd_status tfqkd_toeplitz(const uint8_t* seed, const uint8_t* input, uint64_t input_bits,
                                             uint64_t output_bits, uint8_t* out, size_t out_cap);

/* The key length (bits) the library claims for a block with the given statistics. `statistics_json`
 * (json_len bytes, UTF-8, not necessarily NUL-terminated) is an input file of `tfqkd keyrate` with
 * observed counts: docs/schemas/keyrate-statistics.schema.json (protocol, security parameters,
 * counts; docs/keyrate.md section 2). The harness fails a claim above tfqkd's certified bound.
 *   TFQKD_OK:       *bits = the claimed length (0 when no key can be extracted)
 *   TFQKD_REJECTED: the statistics are invalid or outside what the library supports; a NUL-terminated
 *                   reason in error[error_cap] (may be truncated; error may be NULL when error_cap is 0) */
TFQKD_ABI_EXPORT tfqkd_status tfqkd_key_length(const char* statistics_json, size_t json_len, uint64_t* bits,
                                               char* error, size_t error_cap);

#ifdef __cplusplus
}
#endif

#endif /* TFQKD_CONFORMANCE_ABI_H */
