// verification (0x50): docs/wire-format.md, section 5.13.
#include "protocol/wire/verification.hpp"

namespace tfqkd::wire {

Result<Verification> Verification::read(Reader& reader) {
    Verification m;
    std::uint8_t algorithm = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t algorithm_at = reader.offset();
    if (!reader.u8("algorithm", algorithm)) return reader.take_error();
    if (algorithm != static_cast<std::uint8_t>(Algorithm::poly_gf2_64) &&
        algorithm != static_cast<std::uint8_t>(Algorithm::poly_gf2_128)) {
        reader.fail_at(algorithm_at, "algorithm", Errc::invalid_value);
        return reader.take_error();
    }
    m.algorithm = static_cast<Algorithm>(algorithm);
    // The algorithm fixes both lengths, so nothing on the wire claims a size.
    const std::size_t size = size_of(m.algorithm);
    ByteSpan seed;
    if (!reader.bytes("seed", size, seed)) return reader.take_error();
    ByteSpan tag;
    if (!reader.bytes("tag", size, tag)) return reader.take_error();
    m.seed.assign(seed.begin(), seed.end());
    m.tag.assign(tag.begin(), tag.end());
    return m;
}

void Verification::write(Writer& writer) const {
    // No length is sent: a seed or tag of another size than the algorithm's could not be read back.
    const std::size_t size = size_of(algorithm);
    writer.u64(block_id);
    writer.u8(static_cast<std::uint8_t>(algorithm));
    if (seed.size() != size) {
        writer.fail("seed", Errc::length_mismatch);
        return;
    }
    writer.bytes(seed);
    if (tag.size() != size) {
        writer.fail("tag", Errc::length_mismatch);
        return;
    }
    writer.bytes(tag);
}

Status Verification::check() const { return {}; }

}  // namespace tfqkd::wire
