// Channel endpoints of a session: protocol/session/endpoint.hpp, docs/protocol.md section 2.
#include "protocol/session/endpoint.hpp"

#include <utility>

#include "../mutants.hpp"
#include "protocol/wire/frame.hpp"

namespace tfqkd::session {
namespace {

using Reason = wire::Abort::Reason;

std::string error_text(const Error& e) {
    // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict for "." + std::string(...).
    std::string text(e.message);
    if (!e.field.empty()) text.append(".").append(e.field);
    text.append(": ").append(e.detail.empty() ? errc_name(e.code) : std::string_view(e.detail));
    return text;
}

std::string channel_name(wire::Role a, wire::Role b) {
    return std::string(wire::role_name(a)) + "-" + std::string(wire::role_name(b));
}

}  // namespace

wire::Abort abort_message(std::uint64_t block_id, const Failure& failure) {
    wire::Abort out;
    out.block_id = block_id;
    out.reason = failure.reason;
    // The abort's detail is printable ASCII of at most 256 bytes (WF: abort): anything else is
    // replaced by '?', and a longer text is cut.
    for (const char c : failure.detail) {
        if (out.detail.size() == wire::Abort::kMaxDetail) break;
        out.detail.push_back(c >= 0x20 && c <= 0x7E ? c : '?');
    }
    return out;
}

Endpoint Endpoint::peer(wire::Role self, wire::Role peer, std::uint64_t session_id, pp::KeyPool send_pool,
                        pp::KeyPool receive_pool) {
    return Endpoint(self, peer, session_id, true, std::move(send_pool), std::move(receive_pool));
}

Endpoint Endpoint::relay(wire::Role self, wire::Role other, std::uint64_t session_id) {
    return Endpoint(self, other, session_id, false, {}, {});
}

Endpoint::Endpoint(wire::Role self, wire::Role other, std::uint64_t session_id, bool tagged, pp::KeyPool send_pool,
                   pp::KeyPool receive_pool)
    : self_(self),
      other_(other),
      session_id_(session_id),
      tagged_(tagged),
      send_pool_(std::move(send_pool)),
      receive_pool_(std::move(receive_pool)) {}

Failure Endpoint::fail(Reason reason, std::string detail) {
    failure_ = Failure{reason, std::move(detail)};
    return *failure_;
}

std::variant<Bytes, Failure> Endpoint::seal(const wire::Message& message) {
    // A channel that failed on something received can still carry the abort that says why: the
    // send direction (its sequence and its pool) is intact, so the peer hears the reason instead of
    // waiting for its timeout. One that failed while sending cannot.
    if (failure_ && (send_failed_ || !std::holds_alternative<wire::Abort>(message))) return *failure_;
    const wire::FrameHeader header{wire::type_of(message), self_, other_, session_id_, next_send_};
    auto frame = wire::encode_frame_message(header, message);
    if (!frame) {
        send_failed_ = true;
        return fail(Reason::internal_error, "cannot encode the frame: " + error_text(frame.error()));
    }
    if (tagged_) {
        if (Status signed_ = pp::sign_frame(*frame, send_pool_); !signed_) {
            send_failed_ = true;
            if (failure_) return *failure_;  // the abort after a failure: the first reason stands
            if (pp::is_pool_exhausted(signed_.error()))
                return fail(Reason::auth_pool_exhausted, "the key pool cannot tag frame " + std::to_string(next_send_) +
                                                             " to " + std::string(wire::role_name(other_)));
            return fail(Reason::internal_error, "cannot tag the frame: " + error_text(signed_.error()));
        }
    }
    ++next_send_;
    return std::move(*frame);
}

std::variant<wire::Message, Failure> Endpoint::open(ByteSpan input) {
    if (failure_) return *failure_;
    auto frame = wire::decode_frame(input);
    if (!frame) return fail(Reason::decode_error, error_text(frame.error()));
    const wire::FrameHeader& h = frame->header;
    if (h.sender != other_ || h.receiver != self_)
        return fail(Reason::unexpected_message,
                    "a frame from " + std::string(wire::role_name(h.sender)) + " to " +
                        std::string(wire::role_name(h.receiver)) + " on the " + channel_name(other_, self_) + " channel");
    // Mutant ignore_session_id: a frame of another session is taken for one of this session.
    if (h.session_id != session_id_ && !TFQKD_MUTANT(ignore_session_id))
        return fail(Reason::protocol_violation, "frame.session_id: " + std::to_string(h.session_id) +
                                                    " is not this session's (" + std::to_string(session_id_) + ")");
    // Mutant ignore_sequence: the header's number is not compared; the count goes on regardless.
    if (h.sequence != next_receive_ && !TFQKD_MUTANT(ignore_sequence))
        return fail(Reason::protocol_violation,
                    "frame.sequence: " + std::to_string(h.sequence) + " from " + std::string(wire::role_name(other_)) +
                        ", expected " + std::to_string(next_receive_) +
                        (h.sequence < next_receive_ ? " (a replayed or reordered frame)" : " (a frame was dropped or reordered)"));
    if (tagged_) {
        if (Status verified = pp::verify_frame(input, receive_pool_); !verified) {
            if (pp::is_pool_exhausted(verified.error()))
                return fail(Reason::auth_pool_exhausted, "the key pool cannot verify frame " + std::to_string(h.sequence) +
                                                             " from " + std::string(wire::role_name(other_)));
            // Mutant skip_tag_check: a tag that does not verify is accepted all the same.
            if (!TFQKD_MUTANT(skip_tag_check))
                return fail(Reason::authentication_failed, "frame.tag: the tag of frame " + std::to_string(h.sequence) +
                                                               " from " + std::string(wire::role_name(other_)) +
                                                               " does not verify (a forged or modified frame)");
        }
    }
    auto message = wire::decode_message(h.type, frame->payload);
    if (!message) return fail(Reason::decode_error, error_text(message.error()));
    ++next_receive_;
    return std::move(*message);
}

std::variant<wire::Tag, Failure> Endpoint::pool_tag(ByteSpan message, PoolSide side) {
    if (failure_) return *failure_;
    if (!tagged_) return fail(Reason::internal_error, "a key confirmation needs the peer channel's pools");
    auto tag = pp::authentication_tag(message, side == PoolSide::send ? send_pool_ : receive_pool_);
    if (!tag) {
        if (pp::is_pool_exhausted(tag.error()))
            return fail(Reason::auth_pool_exhausted, "the key confirmation: " + tag.error().to_string());
        return fail(Reason::internal_error, tag.error().to_string());
    }
    return *tag;
}

std::pair<SecretBits, SecretBits> Endpoint::release_pools() {
    // take() of everything that is left cannot fail.
    auto send = send_pool_.take(send_pool_.available_bits());
    auto receive = receive_pool_.take(receive_pool_.available_bits());
    return {send ? std::move(*send) : SecretBits(), receive ? std::move(*receive) : SecretBits()};
}

void Endpoint::replenish(const SecretBits& send_bits, const SecretBits& receive_bits) {
    send_pool_.replenish(send_bits);
    receive_pool_.replenish(receive_bits);
}

}  // namespace tfqkd::session
