// markup_escape: the entities, what a document cannot carry, and bytes that are not UTF-8.
#include "base/markup.hpp"

#include <gtest/gtest.h>

namespace tfqkd {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Markup, EscapesTheFourCharactersThatEndTextOrAnAttribute) {
    EXPECT_EQ(markup_escape("<script>alert(\"x\")</script> & more"),
              "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more");
    EXPECT_EQ(markup_escape("it's"), "it's") << "attributes are double-quoted, so the apostrophe stays";
    EXPECT_EQ(markup_escape("&amp;"), "&amp;amp;") << "an entity in the input is text, not markup";
}

TEST(Markup, CopiesOrdinaryTextUnchanged) {
    const std::string text = "Key rate (bit/s), 10\xE2\x81\xBB\xC2\xB3 \xCE\xB5 PLOB \xE2\x80\x94 50 km\ttab\nline";
    EXPECT_EQ(markup_escape(text), text);
    EXPECT_EQ(markup_escape(""), "");
    EXPECT_EQ(markup_escape("\xF0\x9F\x94\x91"), "\xF0\x9F\x94\x91") << "four-byte sequences (U+1F511)";
}

TEST(Markup, ReplacesControlCharactersAndNoncharacters) {
    EXPECT_EQ(markup_escape(std::string("a\0b", 3)), "a" + kFffd + "b");
    EXPECT_EQ(markup_escape("\x1B[31mred\r\n"), kFffd + "[31mred" + kFffd + "\n");
    EXPECT_EQ(markup_escape("\x7F"), kFffd);
    EXPECT_EQ(markup_escape("\xC2\x85"), kFffd) << "C1 control U+0085";
    EXPECT_EQ(markup_escape("\xC2\xA0"), "\xC2\xA0") << "U+00A0 is not a control";
    EXPECT_EQ(markup_escape("\xEF\xBF\xBE\xEF\xBF\xBF"), kFffd + kFffd);
}

TEST(Markup, ReplacesEachMaximalIllFormedSubpart) {
    EXPECT_EQ(markup_escape("\xFF"), kFffd);
    EXPECT_EQ(markup_escape("a\x80\x80z"), "a" + kFffd + kFffd + "z") << "lone continuation bytes, one each";
    EXPECT_EQ(markup_escape("\xE2\x82<"), kFffd + "&lt;") << "a truncated sequence is one subpart";
    EXPECT_EQ(markup_escape("\xE2\x82"), kFffd) << "truncated at the end of the input";
    EXPECT_EQ(markup_escape("\xC0\xAF"), kFffd + kFffd) << "overlong: C0 is never a lead";
    EXPECT_EQ(markup_escape("\xE0\x80\x80"), kFffd + kFffd + kFffd) << "overlong three-byte form";
    EXPECT_EQ(markup_escape("\xED\xA0\x80"), kFffd + kFffd + kFffd) << "a surrogate";
    EXPECT_EQ(markup_escape("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd) << "past U+10FFFF";
    EXPECT_EQ(markup_escape("\xF0\x9F\x94"), kFffd) << "three of four bytes";
}

TEST(Markup, AppendsToWhatIsThere) {
    std::string out = "<p>";
    append_markup_escaped(out, "1 < 2");
    EXPECT_EQ(out, "<p>1 &lt; 2");
}

}  // namespace
}  // namespace tfqkd
