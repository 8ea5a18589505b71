// Generators of any message of the catalogue and of frame headers with a route the type allows.
#pragma once

#include "arbitrary/all.hpp"
#include "protocol/wire/frame.hpp"

namespace tfqkd::wire::testing {

template <class... Ms>
rc::Gen<Message> any_message_of(TypeList<Ms...>) {
    return rc::gen::oneOf(rc::gen::map(rc::gen::arbitrary<Ms>(), [](Ms m) { return Message(std::move(m)); })...);
}

inline rc::Gen<Message> any_message() { return any_message_of(AllMessages{}); }

// A header for `type` on one of the routes its catalogue entry allows (section 5).
inline rc::Gen<FrameHeader> header_for(MessageType type) {
    return rc::gen::exec([type] {
        std::vector<std::pair<Role, Role>> routes;
        for (Role s : {Role::alice, Role::bob, Role::charlie})
            for (Role r : {Role::alice, Role::bob, Role::charlie})
                if ((allowed_channels(type) & channel_of(s, r)) != 0) routes.emplace_back(s, r);
        const auto route = *rc::gen::elementOf(routes);
        return FrameHeader{type, route.first, route.second, *rc::gen::arbitrary<std::uint64_t>(),
                           *rc::gen::arbitrary<std::uint64_t>()};
    });
}

}  // namespace tfqkd::wire::testing
