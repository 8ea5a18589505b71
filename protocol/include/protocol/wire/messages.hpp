// The whole message catalogue (docs/wire-format.md, section 5).
//
// TFQKD_WIRE_MESSAGES is the one list of message types in the C++ code: the Message variant, the
// dispatch by type, the property tests and the fuzz targets are all generated from it.
#pragma once

#include <variant>

#include "protocol/wire/session_params.hpp"
#include "protocol/wire/session_params_ack.hpp"
#include "protocol/wire/detection_report.hpp"
#include "protocol/wire/phase_reference_report.hpp"
#include "protocol/wire/sifting_announcement.hpp"
#include "protocol/wire/decoy_announcement.hpp"
#include "protocol/wire/estimation_disclosure.hpp"
#include "protocol/wire/aopp_pairing.hpp"
#include "protocol/wire/aopp_parity.hpp"
#include "protocol/wire/cascade_parity_query.hpp"
#include "protocol/wire/cascade_parity_reply.hpp"
#include "protocol/wire/ldpc_syndrome.hpp"
#include "protocol/wire/verification.hpp"
#include "protocol/wire/privacy_amplification.hpp"
#include "protocol/wire/key_confirmation.hpp"
#include "protocol/wire/abort.hpp"

#define TFQKD_WIRE_MESSAGES(X) \
    X(SessionParams) \
    X(SessionParamsAck) \
    X(DetectionReport) \
    X(PhaseReferenceReport) \
    X(SiftingAnnouncement) \
    X(DecoyAnnouncement) \
    X(EstimationDisclosure) \
    X(AoppPairing) \
    X(AoppParity) \
    X(CascadeParityQuery) \
    X(CascadeParityReply) \
    X(LdpcSyndrome) \
    X(Verification) \
    X(PrivacyAmplification) \
    X(KeyConfirmation) \
    X(Abort) \

namespace tfqkd::wire {

// The catalogue as a type list, from the one list above.
template <class... Ms>
struct TypeList {};

namespace detail {
template <class List>
struct DropFirst;
template <class First, class... Rest>
struct DropFirst<TypeList<First, Rest...>> {
    using type = TypeList<Rest...>;
};
template <class List>
struct VariantOf;
template <class... Ms>
struct VariantOf<TypeList<Ms...>> {
    using type = std::variant<Ms...>;
};
}  // namespace detail

#define TFQKD_WIRE_LIST_ITEM(M) , M
// A leading void absorbs the first comma of the expansion.
using AllMessages = detail::DropFirst<TypeList<void TFQKD_WIRE_MESSAGES(TFQKD_WIRE_LIST_ITEM)>>::type;
#undef TFQKD_WIRE_LIST_ITEM

// Any message of the catalogue.
using Message = detail::VariantOf<AllMessages>::type;

// Decodes a payload as the message of `type`.
Result<Message> decode_message(MessageType type, ByteSpan payload);

// Encodes any message of the catalogue.
Result<Bytes> encode_message(const Message& message);

// The type of a message held in the variant.
MessageType type_of(const Message& message);

}  // namespace tfqkd::wire
