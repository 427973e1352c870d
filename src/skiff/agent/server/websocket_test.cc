#include "skiff/agent/server/websocket.h"

#include "gtest/gtest.h"

namespace skiff::agent::server {
namespace {

TEST(WebSocketAcceptTest, Rfc6455Example) {
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(EncodeWsFrameTest, Table) {
  struct Case {
    uint8_t opcode;
    std::string payload;
    std::optional<uint32_t> mask;
    std::string want;
  } cases[] = {
      {kWsBinary, std::string("\x01hi", 3), std::nullopt, std::string("\x82\x03\x01hi", 5)},
      {kWsText, "Hello", 0x37fa213d,
       std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11)},
      {kWsClose, "\x03\xe8", std::nullopt, std::string("\x88\x02\x03\xe8", 4)},
      {kWsPing, "", std::nullopt, std::string("\x89\x00", 2)},
  };
  for (const auto& c : cases) EXPECT_EQ(EncodeWsFrame(c.opcode, c.payload, c.mask), c.want);
  std::string big = EncodeWsFrame(kWsBinary, std::string(300, 'x'));
  EXPECT_EQ(big.substr(0, 4), std::string("\x82\x7e\x01\x2c", 4));
  EXPECT_EQ(big.size(), 304u);
  std::string huge = EncodeWsFrame(kWsBinary, std::string(70000, 'x'));
  EXPECT_EQ(huge.substr(0, 10), std::string("\x82\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10));
  EXPECT_EQ(huge.size(), 70010u);
}

TEST(WsDecoderTest, MaskedFragmentedAndControlFrames) {
  WsDecoder d;
  // The RFC's masked "Hello", delivered a byte at a time.
  std::string frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    d.Feed(frame.substr(i, 1));
    EXPECT_FALSE(d.Next());
  }
  d.Feed(frame.substr(frame.size() - 1));
  auto m = d.Next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, kWsText);
  EXPECT_EQ(m->payload, "Hello");
  // "Hel" + ping + "lo": the ping comes out first, then the joined message.
  d.Feed(std::string("\x01\x03Hel", 5));
  d.Feed(std::string("\x89\x01p", 3));
  d.Feed(std::string("\x80\x02lo", 4));
  m = d.Next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, kWsPing);
  EXPECT_EQ(m->payload, "p");
  m = d.Next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->opcode, kWsText);
  EXPECT_EQ(m->payload, "Hello");
  EXPECT_FALSE(d.Next());
  EXPECT_EQ(d.error(), "");
  // Round trip of a masked 70,000-byte binary message (64-bit length).
  std::string payload(70000, 'z');
  payload[0] = '\x00';
  d.Feed(EncodeWsFrame(kWsBinary, payload, 0x01020304));
  m = d.Next();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->payload, payload);
}

TEST(WsDecoderTest, BrokenStreams) {
  struct Case {
    std::string bytes;
    std::string error;
  } cases[] = {
      {std::string("\xc2\x00", 2), "reserved bits set"},
      {std::string("\x09\x00", 2), "bad control frame"},
      {std::string("\x80\x00", 2), "continuation without a message"},
      {std::string("\x01\x01"
                   "a\x01\x01"
                   "b",
                   6),
       "new message inside a fragmented one"},
  };
  for (const auto& c : cases) {
    WsDecoder d;
    d.Feed(c.bytes);
    EXPECT_FALSE(d.Next());
    EXPECT_EQ(d.error(), c.error);
  }
  WsDecoder small(10);
  small.Feed(EncodeWsFrame(kWsBinary, std::string(11, 'x')));
  EXPECT_FALSE(small.Next());
  EXPECT_EQ(small.error(), "message too large");
}

}  // namespace
}  // namespace skiff::agent::server
