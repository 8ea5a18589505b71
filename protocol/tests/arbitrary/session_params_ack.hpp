#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/session_params.hpp"
#include "protocol/wire/session_params_ack.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::SessionParamsAck> {
    static Gen<tfqkd::wire::SessionParamsAck> arbitrary() {
        using tfqkd::wire::SessionParams;
        using tfqkd::wire::SessionParamsAck;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            SessionParamsAck m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            for (auto& b : m.params_digest) b = *gen::arbitrary<std::uint8_t>();
            m.capabilities = *in_closed_range<std::uint32_t>(0, SessionParams::kCapAll);
            return m;
        });
    }
};

}  // namespace rc
