// Small data sets on which Lloyd's iterations empty a cluster although every point is distinct
// (the k-means++ seeds are data points, so this is rare: about 1 in 30000 random draws). Found
// by a deterministic search (uniform coordinates in [-1, 1), n in [4, 30], d in {1, 2}, random
// k and seed) with the engine; the oracle test checks them against Commons Math under every
// strategy. Entries marked "later donor" take the new center's point from a cluster with a
// higher index than the empty one, so that cluster's centroid in the same pass changes.
// Coordinates are hexadecimal floating literals: exact.
#ifndef ZEROSTART_TESTS_ORACLE_EMPTY_CLUSTER_DATASETS_H_
#define ZEROSTART_TESTS_ORACLE_EMPTY_CLUSTER_DATASETS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zerostart::kmeans::testing {

struct EmptyClusterDataset {
  size_t dims;
  int32_t k;
  int32_t seed;
  std::vector<double> coords;
};

inline const std::vector<EmptyClusterDataset>& EmptyClusterDatasets() {
  static const auto* const kDatasets = new std::vector<EmptyClusterDataset>{
      // search trial 9320, later donor
      {2, 6, -177945157, {-0x1.2aba742305e6p-6, 0x1.4c7cc452af8e8p-3, 0x1.9deb25393190ap-1,
             -0x1.d6a9d5ce2fc84p-1, 0x1.245990d221b84p-1, 0x1.5e3b3193821a8p-1,
             0x1.f34d6c8f36258p-2, 0x1.ec8f6e3a8d63ep-1, 0x1.afc939e6a82b8p-1,
             0x1.b281773444c18p-1, -0x1.1f4b63751a58p-5, -0x1.a72f68f4c3485p-1,
             0x1.9c7dd389600a6p-1, -0x1.ce5775ede5cd1p-1, -0x1.16a85ce7cd244p-2,
             -0x1.435d763563fdap-1, -0x1.a8482b8c38a44p-3, 0x1.c3223fe7aadd6p-1,
             0x1.6978b85caaff4p-1, 0x1.bf3420b1b35bep-1, 0x1.dfad4204c62fep-1,
             -0x1.1d073a0b1212fp-1, 0x1.8964540f975aep-1, -0x1.6029c5fd5f63dp-1,
             -0x1.24acef15925f7p-1, -0x1.0b9ed9e16147p-4, -0x1.0343340695002p-1,
             -0x1.639d214b1f26p-2, -0x1.fa28c785d4a22p-2, 0x1.f5b21d5123892p-1,
             -0x1.21321ae5348f6p-2, 0x1.18c533385bfc8p-1, 0x1.a0ce5fed11b98p-2,
             -0x1.473380a352714p-3, 0x1.b0779ab8d4daap-1, 0x1.bf5cdb20d286p-2,
             0x1.4c8ba769042ccp-1, -0x1.907ed0f29b1cap-1, -0x1.a364a96c80254p-1,
             -0x1.1695fe8833f38p-3, 0x1.42f10473e5aa4p-1, 0x1.78422da2a91d4p-1,
             -0x1.e9db10b5462bfp-1, -0x1.a875174cb05f7p-1}},
      // search trial 45100
      {1, 6, 470596452, {-0x1.d379c0eb4e80bp-1, -0x1.0a677fa75f4fp-4, 0x1.875e037b281f6p-1,
             0x1.79f9ae8042dc4p-2, 0x1.72ca7aa754702p-1, 0x1.c41fc532918ccp-1,
             -0x1.01cd462deeb65p-1, 0x1.13c797263fap-7, -0x1.d51d39ab7d24fp-1,
             0x1.7dff4cba2dfdp-1, 0x1.1c5ea800734c8p-3, 0x1.7eab6368525p-3, 0x1.0e791ac91f11p-4,
             -0x1.84e03ab38b72ep-2, -0x1.34be1cedf504p-7, 0x1.02855122f6b44p-2,
             -0x1.8d41fa6077b08p-4, -0x1.9249ee76f2426p-1, 0x1.22f4a6316421p-3,
             0x1.38b6f5cb8dcp-6, 0x1.1f5ceb26b66f8p-2}},
      // search trial 62683
      {1, 6, 1853890484, {0x1.481b580867fb8p-2, 0x1.5a1fa45ac9cacp-2, -0x1.7a1be3fb0ad96p-1,
             -0x1.6e04e16536e1cp-1, 0x1.b76bf78e140fp-1, 0x1.d3fb0971c60fp-2,
             -0x1.8f7e462cf1bfcp-3, -0x1.a60eb5a359192p-1, -0x1.ea7e3fc9c8b69p-1,
             0x1.77075127b1364p-2, -0x1.e34a9c379f724p-2, -0x1.d67622843a97p-2,
             -0x1.cffca6d9ec408p-3, -0x1.f8ec35c680af4p-3, -0x1.e6c9187333394p-2,
             0x1.d944c3fcb56b6p-1, -0x1.f2600ff88f378p-1, 0x1.da32bfd9e5106p-1,
             -0x1.0d5e90990e2c8p-1, -0x1.7561f3227f776p-2, 0x1.0c9a355918da2p-1,
             0x1.cae419dbe2bc4p-2}},
      // search trial 82400, later donor
      {2, 5, 877996797, {-0x1.0332353b27029p-1, -0x1.1ba32286b6872p-1, -0x1.12292c66fdd6p-1,
             -0x1.8c4d74149a764p-3, 0x1.41751b780c6dp-4, -0x1.57046b9701ccp-7,
             -0x1.bc181ee78651p-5, 0x1.bbea7a1ba2c4p-1, -0x1.c58f8ea89e52ep-2, 0x1.c9ac9afc65p-9,
             0x1.e3aefa5ea1782p-1, 0x1.a8a4696ee4dbcp-1, -0x1.3e456a6364da8p-4,
             -0x1.e2a527d6b606p-1, 0x1.381c7403f9274p-1, 0x1.882d95d65c43ap-1,
             -0x1.4451f9ddae04p-7, -0x1.ec5bc0d1b80bfp-1, 0x1.81c065458ed9p-4,
             0x1.122fc3117132p-5, -0x1.630c43f894b4p-4, 0x1.1262723ab33cp-5, 0x1.b32f37b7ea3bp-4,
             -0x1.c09820f75acbdp-1, -0x1.e3a56b3b8e87p-2, -0x1.447bd9f879c5cp-1,
             -0x1.14d1eccf76e74p-3, 0x1.75af1ecda8868p-3, 0x1.3ce62a4a2433p-3,
             -0x1.a05af00776cdfp-1, 0x1.f7765bbcb5e92p-1, 0x1.076afeaf7194ep-1,
             0x1.c73d24fc14a8cp-2, 0x1.02b740f4f8f7p-1}},
      // search trial 89899
      {2, 5, -768406443, {0x1.71fe027e8af14p-2, 0x1.8daacf38d643p-1, -0x1.08e6f0a09ebeep-1,
             0x1.762ccb8de597cp-2, -0x1.11137870df0ffp-1, 0x1.11e8663ab6a1cp-2,
             -0x1.8ca76f8f2c5fbp-1, 0x1.b30d5ba1f165cp-1, 0x1.3ce7053088644p-1,
             0x1.d8c5dba071df2p-1, 0x1.3f0df644a4b22p-1, -0x1.b32968da3156p-4,
             -0x1.8cc49f4c01084p-3, 0x1.4a8e7acba8376p-1, -0x1.5bf33b9587314p-1,
             -0x1.bfe4646e23392p-1, 0x1.8d034232eb5a4p-2, 0x1.f7d0dad5ee218p-1,
             -0x1.dcad67bc1bcaep-2, -0x1.7ca6f59ffb7bcp-1, 0x1.edfffbf87db7p-2,
             -0x1.437d9a6ed362p-5}},
      // search trial 102030, later donor
      {1, 6, 1693143772, {0x1.fdb41d4bf67a4p-1, 0x1.633fad94aedb4p-2, -0x1.726d2c15dd18ap-2,
             0x1.f2d76d85f686p-3, 0x1.59dbba6620e88p-1, -0x1.9488fe168f571p-1,
             0x1.127340999d68ep-1, 0x1.6a0ac182dc9e8p-1, -0x1.b21dd4810d876p-2,
             -0x1.5d61a75444878p-1, -0x1.6785b3b9aee78p-2, 0x1.d9cfa5cfe4604p-2,
             -0x1.859f57170efeap-2, -0x1.35fbe24a5a37p-3, -0x1.973f613d11b4p-2}},
      // search trial 290999, later donor
      {1, 4, -202542560, {-0x1.3212c4c89fd26p-1, 0x1.f151efede1bc6p-1, -0x1.81fcc61cb27b9p-1,
             0x1.777cd19fbcb14p-2, 0x1.3bcede6c512b8p-3, 0x1.3ec6b122e5fap-1,
             -0x1.d4b0ecb7cc654p-1, 0x1.e35166b4a978p-1, -0x1.8adb63a2b669ep-1,
             0x1.47100c22deb2p-3, 0x1.a4ec8cac59412p-1, -0x1.9cf34bab3c6b1p-1,
             0x1.34e5b0d552e4p-2, -0x1.695e52232306dp-1, 0x1.beb16fe55b752p-1,
             0x1.7a5c1001b39bp-1, 0x1.930c63bbe7ae8p-1, 0x1.8b67bf4e2a5p-5, 0x1.2bcb63834b214p-2,
             0x1.b9346391493d6p-1, -0x1.2564c2301f6a6p-1, 0x1.e1771e1a05368p-3,
             0x1.a23b992b10a04p-2, -0x1.1bbed28a53b04p-1, 0x1.52ba9f669bcbcp-1,
             0x1.c7f9eba681ae8p-3, -0x1.68843aac7e78ap-1, 0x1.82743e85e2b2p-4,
             0x1.beed00b219e8p-5}},
      // search trial 295888
      {1, 5, 1580779722, {-0x1.5f0659e27ecaap-1, 0x1.c306fea07494p-2, -0x1.70a2efc987efp-1,
             0x1.4ffce468ca7a2p-1, -0x1.51d1a4a2abb6cp-1, 0x1.67c55b8044948p-2,
             0x1.1f5408753656ap-1, -0x1.5d984421c9edfp-1, 0x1.76335ec08dc7ep-1,
             0x1.bd8e47d9610e4p-1, -0x1.261a733f62afp-5, 0x1.f7b025aeb0ad4p-2,
             -0x1.fd73acb745d98p-1, -0x1.8fbadeac5392p-3, -0x1.8e1ca9b4af525p-1,
             0x1.6abe22064c64ap-1, 0x1.083891eddb316p-1, 0x1.c4950bcf5e718p-2,
             -0x1.277e079242951p-1}},
      // search trial 300348
      {2, 6, 113661781, {-0x1.1a5498bba1a34p-3, 0x1.f2a8d840e5b0ep-1, 0x1.a7e9da51f87a6p-1,
             0x1.ffa2ec55553ap-5, -0x1.527487483fb34p-3, 0x1.5b590ed3289dp-4,
             0x1.cf7a6de7b4eecp-2, -0x1.6da8393472d55p-1, 0x1.a0347876344eep-1,
             -0x1.2d1c180a69a9fp-1, -0x1.a9f94c187bc0cp-1, -0x1.48feba256eef4p-2,
             -0x1.c7e5585520eep-4, 0x1.54a6ed215219p-2, 0x1.5ae8d701c874p-1,
             -0x1.dab3c8975c796p-1, -0x1.a63226233f8fap-1, -0x1.ef3fcd563fd6ep-2,
             0x1.916ea8c67543ep-1, 0x1.f0b70fdb4ap-6, -0x1.eb58102809ep-5, -0x1.32ebaf493de44p-2,
             -0x1.782e678afaee8p-2, -0x1.3c76c57c53548p-2, -0x1.ff92622def1e4p-1,
             -0x1.9c213ee54f6b8p-4, -0x1.c2c07e6b8b89p-4, 0x1.ea4f8978dbc96p-1,
             0x1.fc39e11ec5c8p-2, 0x1.b83364713074cp-2, 0x1.b55585de6d68p-1, 0x1.8c5db06aee6p-2,
             0x1.7309bf35c668ap-1, -0x1.fad150f232be4p-2, -0x1.a86a9179166a4p-1,
             0x1.37d3484ca5948p-2, -0x1.c68ec5954f938p-3, 0x1.8285691f346e8p-1,
             -0x1.1d38b948ec598p-1, 0x1.3f2fb28df5554p-1, -0x1.07cc9d1780da8p-4,
             0x1.bcdf6d89d1738p-2, 0x1.5d490a42aa5cp-5, 0x1.4aa1b9b06a616p-1}},
      // search trial 324204
      {2, 4, -1264790855, {0x1.8e250d6f98318p-2, 0x1.d1ef3ffba55bap-1, -0x1.3a15db3ff8b7p-1,
             0x1.bc640db149e58p-2, -0x1.023d42e8aa0aap-2, 0x1.6103e8e9cf784p-1,
             0x1.f0a403b9b70b2p-1, -0x1.c7f19d4735a54p-2, 0x1.7b3a4bf54212cp-2,
             -0x1.e97d553b26ecp-3, -0x1.b5a3f2ddd4fc8p-2, -0x1.42f6bdba46c64p-1,
             0x1.b5660ef42221cp-2, -0x1.e9655af64dc1p-3, -0x1.df0b7c6ff4566p-2,
             -0x1.1e1e07b645718p-4, 0x1.1c8c57f3af89ap-1, -0x1.74a11f9436ea4p-1,
             -0x1.4d6a6001f80bp-2, 0x1.72771ae6d2d9ep-1, -0x1.d1e8cda94aa48p-4,
             0x1.0df1561fc2fcep-1, 0x1.aea3f5a7effa8p-3, 0x1.a207a05720a36p-1,
             -0x1.13b1c2abf80c9p-1, 0x1.7324e95df0642p-1, -0x1.2e0fdd58a2546p-1,
             -0x1.a65e9e73d61bp-5, -0x1.9d7d2344f24b7p-1, -0x1.d3aa7fc80449ap-1,
             -0x1.ca5a1d1a3140ap-2, -0x1.bd8e8bc31e0e8p-3, -0x1.5f0bcc2e244acp-2,
             -0x1.3c50dd4330c82p-2, -0x1.1ad593a59dap-2, -0x1.013525e75e152p-1,
             -0x1.3de6ec7e7bda6p-1, 0x1.d91dc7ede9712p-1, -0x1.7a128e26f1856p-1,
             0x1.feb45dd0fe544p-2, 0x1.9f8ac476c595p-2, -0x1.08e194db090dep-2,
             0x1.eb335dc4a36a8p-3, -0x1.27554091aeadcp-1, -0x1.dcb1cea9558a3p-1,
             0x1.d22144936d8ep-3}},
  };
  return *kDatasets;
}

}  // namespace zerostart::kmeans::testing

#endif  // ZEROSTART_TESTS_ORACLE_EMPTY_CLUSTER_DATASETS_H_
