#include <gtest/gtest.h>
#include "network/session.hpp"
TEST(Session, Builds) { SUCCEED(); }
