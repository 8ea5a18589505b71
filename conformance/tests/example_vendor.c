/* A minimal vendor library in C against the conformance ABI: it offers only the verification hash,
 * written from docs/postprocessing.md ("Verification") and the header alone. It shows that the ABI
 * is plain C (this file is compiled as C11 with -pedantic and warnings as errors) and what a partial
 * implementation looks like in a report: the hash vectors pass, everything else is
 * "not implemented". docs/vendor-guide.md section 6.1 points vendors here as a starting point. */
#include <string.h>

#include "tfqkd/conformance_abi.h"

uint32_t tfqkd_abi_version(void) { return TFQKD_ABI_VERSION; }

uint32_t tfqkd_capabilities(void) { return TFQKD_CAP_VERIFICATION_HASH; }

/* An element of GF(2^128): bit i of its 16 little-endian bytes is the coefficient of x^i. */
typedef struct element {
    uint64_t low, high;
} element;

static element element_from_bytes(const uint8_t* b) {
    element e = {0, 0};
    for (int i = 7; i >= 0; --i) e.low = (e.low << 8) | b[i];
    for (int i = 15; i >= 8; --i) e.high = (e.high << 8) | b[i];
    return e;
}

/* a b mod x^128 + x^7 + x^2 + x + 1, bit by bit (not constant-time: an example, not for keys). */
static element multiply(element a, element b) {
    element r = {0, 0};
    for (int i = 0; i < 128; ++i) {
        const uint64_t bit = i < 64 ? (b.low >> i) & 1u : (b.high >> (i - 64)) & 1u;
        if (bit) {
            r.low ^= a.low;
            r.high ^= a.high;
        }
        const uint64_t carry = a.high >> 63;
        a.high = (a.high << 1) | (a.low >> 63);
        a.low <<= 1;
        if (carry) a.low ^= 0x87u;
    }
    return r;
}

tfqkd_status tfqkd_verification_hash(const uint8_t key[16], const uint8_t* data, uint64_t bit_length, uint8_t out[16]) {
    if (key == NULL || out == NULL || (data == NULL && bit_length != 0)) return TFQKD_INVALID_ARGUMENT;
    const element k = element_from_bytes(key);
    const uint64_t bytes = (bit_length + 7) / 8;
    element acc = {0, 0};
    /* Horner over 16-byte blocks, the last one padded with zero bytes; then the length block L. */
    for (uint64_t at = 0; at < bytes; at += 16) {
        uint8_t block[16] = {0};
        memcpy(block, data + at, (size_t)(bytes - at < 16 ? bytes - at : 16));
        const element m = element_from_bytes(block);
        acc.low ^= m.low;
        acc.high ^= m.high;
        acc = multiply(acc, k);
    }
    acc.low ^= bit_length;
    acc = multiply(acc, k);
    for (int i = 0; i < 8; ++i) {
        out[i] = (uint8_t)(acc.low >> (8 * i));
        out[i + 8] = (uint8_t)(acc.high >> (8 * i));
    }
    return TFQKD_OK;
}
