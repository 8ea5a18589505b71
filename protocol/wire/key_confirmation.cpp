// key_confirmation (0x70): docs/wire-format.md, section 5.15.
#include "protocol/wire/key_confirmation.hpp"

namespace tfqkd::wire {

Result<KeyConfirmation> KeyConfirmation::read(Reader& reader) {
    KeyConfirmation m;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.uint_in<std::uint32_t>("key_bits", m.key_bits, 0, kMaxKeyBits)) return reader.take_error();
    if (!reader.copy("confirmation", m.confirmation)) return reader.take_error();
    return m;
}

void KeyConfirmation::write(Writer& writer) const {
    writer.u64(block_id);
    writer.u32(key_bits);
    writer.bytes(confirmation);
}

Status KeyConfirmation::check() const { return {}; }

}  // namespace tfqkd::wire
