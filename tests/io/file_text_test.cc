#include "io/file_text.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "io/importers.h"

namespace canvass {
namespace {

class FileTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/canvass-file-text-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::string dir_;
};

TEST_F(FileTextTest, ARegularFileIsMappedWithEveryByte) {
  std::string bytes;
  for (int i = 0; i < 100000; ++i) bytes += static_cast<char>(i * 7 % 256);
  const std::string path = Write("bytes.bin", bytes);
  auto text = FileText::Open(path);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_TRUE(text->mapped());
  EXPECT_EQ(text->view(), bytes);
  // Moved, the view stays the same bytes, and the moved-from one is empty.
  FileText moved = std::move(text).value();
  EXPECT_EQ(moved.view(), bytes);
  auto other = FileText::Open(Write("other.txt", "x"));
  ASSERT_TRUE(other.ok());
  moved = std::move(other).value();
  EXPECT_EQ(moved.view(), "x");
}

// A one-shot command has regular files read into its heap: the same bytes, not mapped; the
// process's default is to map them.
TEST_F(FileTextTest, ARegularFileIsReadIntoMemoryWhenAsked) {
  std::string bytes;
  for (int i = 0; i < 300000; ++i) bytes += static_cast<char>(i * 13 % 256);
  const std::string path = Write("bytes.bin", bytes);
  ASSERT_EQ(FileText::SetReading(FileText::Reading::kIntoMemory), FileText::Reading::kMapped);
  auto text = FileText::Open(path);
  auto empty = FileText::Open(Write("empty.csv", ""));
  auto directory = FileText::Open(dir_);
  EXPECT_EQ(FileText::SetReading(FileText::Reading::kMapped), FileText::Reading::kIntoMemory);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_FALSE(text->mapped());
  EXPECT_EQ(text->view(), bytes);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->view(), "");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message(), dir_ + ": read failed: Is a directory");
  auto mapped = FileText::Open(path);
  ASSERT_TRUE(mapped.ok());
  EXPECT_TRUE(mapped->mapped());
}

TEST_F(FileTextTest, AnEmptyFileIsEmptyNotMapped) {
  auto text = FileText::Open(Write("empty.csv", ""));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_FALSE(text->mapped());
  EXPECT_EQ(text->view(), "");
}

// More than a pipe holds, so that the writer blocks until the reader reads: the pipe is read
// through the descriptor opened first (opening it twice, the writer could die of SIGPIPE).
TEST_F(FileTextTest, APipeIsReadWhole) {
  const std::string path = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string bytes(200000, 'a');
  bytes += "end";
  std::thread writer([&] { std::ofstream(path, std::ios::binary) << bytes; });
  auto text = FileText::Open(path);
  writer.join();
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_FALSE(text->mapped());
  EXPECT_EQ(text->view(), bytes);
}

TEST_F(FileTextTest, ADirectoryNamesThePathAndTheReason) {
  auto text = FileText::Open(dir_);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), dir_ + ": read failed: Is a directory");
  // ReadFile reads through FileText: the same refusal, and the same bytes of a file.
  auto read = ReadFile(dir_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), text.status().message());
  auto bytes = ReadFile(Write("some.csv", "a,b\n1,2\n"));
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, "a,b\n1,2\n");
}

TEST_F(FileTextTest, AMissingFileNamesThePathAndTheReason) {
  auto text = FileText::Open(dir_ + "/nothing.csv");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().message(), dir_ + "/nothing.csv: cannot open: No such file or directory");
  // The loaders say the same.
  auto results = LoadResultsFile(dir_ + "/nothing.csv");
  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.status().message(), text.status().message());
}

TEST_F(FileTextTest, TheLoadersReadAMappedFileAsTheParserReadsItsText) {
  const std::string csv =
      "county,precinct,candidate,measure,value\n"
      "Adair,1NW ADAIR,Biden,expression_1,6\n"
      "Adair,1NW ADAIR,Warren,expression_1,9\n";
  auto loaded = LoadResultsFile(Write("results.csv", csv));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto parsed = ParseResults(csv, dir_ + "/results.csv");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(loaded->reports.size(), 1u);
  EXPECT_EQ(loaded->candidates, parsed->candidates);
  EXPECT_EQ(loaded->reports[0].figures[1].first, parsed->reports[0].figures[1].first);
  // A file that ends without a line break, its last byte at the end of the mapping.
  auto cut = LoadResultsFile(Write("cut.csv", csv.substr(0, csv.size() - 1)));
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(*cut->reports[0].figures[1].first, 9);
}

}  // namespace
}  // namespace canvass
