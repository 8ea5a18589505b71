// privacy_amplification (0x60): docs/wire-format.md, section 5.14.
#include "protocol/wire/privacy_amplification.hpp"

namespace tfqkd::wire {

namespace {

// The Toeplitz matrix of output_bits rows and input_bits columns is fixed by its first row and
// column: input + output - 1 bits. With both at most 2^30 this fits comfortably in 64 bits.
std::uint64_t seed_bits(std::uint32_t input_bits, std::uint32_t output_bits) noexcept {
    return static_cast<std::uint64_t>(input_bits) + output_bits - 1;
}

}  // namespace

Result<PrivacyAmplification> PrivacyAmplification::read(Reader& reader) {
    PrivacyAmplification m;
    std::uint8_t algorithm = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t algorithm_at = reader.offset();
    if (!reader.u8("algorithm", algorithm)) return reader.take_error();
    if (algorithm != static_cast<std::uint8_t>(Algorithm::toeplitz)) {
        reader.fail_at(algorithm_at, "algorithm", Errc::invalid_value);
        return reader.take_error();
    }
    m.algorithm = static_cast<Algorithm>(algorithm);
    if (!reader.uint_in<std::uint32_t>("input_bits", m.input_bits, 1, kMaxInputBits)) return reader.take_error();
    // Privacy amplification shortens the key: the bound of output_bits is the input_bits just read.
    if (!reader.uint_in<std::uint32_t>("output_bits", m.output_bits, 1, m.input_bits)) return reader.take_error();
    const std::uint64_t bits = seed_bits(m.input_bits, m.output_bits);
    // No single count field claims the seed's size (two do), so a short seed is the seed's fault;
    // checked before the allocation, which may be up to 256 MiB (WF-ENC-7).
    if (PackedBits::byte_count(bits) > reader.remaining()) {
        reader.fail("seed", Errc::truncated);
        return reader.take_error();
    }
    if (!PackedBits::read(reader, "seed", bits, m.seed)) return reader.take_error();
    return m;
}

void PrivacyAmplification::write(Writer& writer) const {
    writer.u64(block_id);
    writer.u8(static_cast<std::uint8_t>(algorithm));
    writer.u32(input_bits);
    writer.u32(output_bits);
    // The seed's length is implied by the two counts, so a seed of any other length cannot be sent.
    if (seed.size() != seed_bits(input_bits, output_bits)) {
        writer.fail("seed", Errc::length_mismatch);
        return;
    }
    seed.write(writer);
}

Status PrivacyAmplification::check() const { return {}; }

}  // namespace tfqkd::wire
