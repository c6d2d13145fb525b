// Opening a TCP socket bound to a chosen local address (on loopback any 127.x.y.z), for clients
// that stand for many devices: simulated phones, attackers.
#pragma once

#include <netinet/in.h>

#include <boost/asio/ip/tcp.hpp>

namespace canvass {

// Opens `socket` for `protocol` and binds it to `local` (port chosen at connect time, so that
// many connections from one address to several servers do not run out of ports).
inline boost::system::error_code OpenBound(boost::asio::ip::tcp::socket& socket,
                                           const boost::asio::ip::tcp& protocol,
                                           const boost::asio::ip::address& local) {
  boost::system::error_code ec;
  socket.open(protocol, ec);
  if (ec) return ec;
  const int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  socket.bind(boost::asio::ip::tcp::endpoint(local, 0), ec);
  return ec;
}

}  // namespace canvass
