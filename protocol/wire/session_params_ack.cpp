// session_params_ack (0x02): docs/wire-format.md, section 5.2.
#include "protocol/wire/session_params_ack.hpp"

#include "protocol/wire/session_params.hpp"

namespace tfqkd::wire {

Result<SessionParamsAck> SessionParamsAck::read(Reader& reader) {
    SessionParamsAck m;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.copy("params_digest", m.params_digest)) return reader.take_error();
    const std::size_t capabilities_at = reader.offset();
    if (!reader.u32("capabilities", m.capabilities)) return reader.take_error();
    // The same capability bits as session_params (WF-SP-4): an ack can accept only defined ones.
    if ((m.capabilities & ~SessionParams::kCapAll) != 0) {
        reader.fail_at(capabilities_at, "capabilities", Errc::invalid_value);
        return reader.take_error();
    }
    return m;
}

void SessionParamsAck::write(Writer& writer) const {
    writer.u64(block_id);
    writer.bytes(params_digest);
    writer.u32(capabilities);
}

Status SessionParamsAck::check() const { return {}; }

}  // namespace tfqkd::wire
