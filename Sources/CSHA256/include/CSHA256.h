// SHA-256's compression function (FIPS 180-4) for Engine/IO/SHA256.swift, which pads and streams:
// on the x86 SHA extensions where the CPU has them (about 2 GB/s), else portable C.
#ifndef CSHA256_H
#define CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// Compresses `blocks` 64-byte blocks of `data` into `state` (a, b, …, h).
void sha256_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);

/// 1 when sha256_blocks runs on the SHA extensions, else 0 (for tests and reports).
int sha256_uses_extensions(void);

/// The portable rounds alone (tests compare the two).
void sha256_blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
