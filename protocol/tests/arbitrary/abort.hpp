#pragma once

#include "arbitrary/common.hpp"
#include "protocol/wire/abort.hpp"

namespace rc {

template <>
struct Arbitrary<tfqkd::wire::Abort> {
    static Gen<tfqkd::wire::Abort> arbitrary() {
        using tfqkd::wire::Abort;
        using tfqkd::wire::testing::in_closed_range;
        return gen::exec([] {
            Abort m;
            m.block_id = *gen::arbitrary<std::uint64_t>();
            m.reason = static_cast<Abort::Reason>(*in_closed_range<std::uint16_t>(1, Abort::kMaxReason));
            const auto length = *in_closed_range<std::size_t>(0, Abort::kMaxDetail);
            m.detail = *gen::container<std::string>(length, gen::inRange<char>(0x20, 0x7F));
            return m;
        });
    }
};

}  // namespace rc
