// swift-tools-version:5.10
// ganfit-gpu: GANFIT face fitting on any OpenCL device, with a CPU reference backend.
import PackageDescription

// MARK: - System libraries (module map + header each)

let systemLibraries: [Target] = [
    .systemLibrary(name: "CLBridge", path: "Sources/CLBridge"),
    .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
]

// MARK: - Image codecs: libpng and libjpeg behind C entry points that never longjmp into Swift

let imageCodecs: Target = .target(
    name: "CImageCodecs",
    path: "Sources/CImageCodecs",
    linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg")]
)

// MARK: - The CPU backend's GEMM kernel (AVX-512F / AVX2+FMA, chosen at run time)

let broadcastGemm: Target = .target(
    name: "CBroadcastGemm",
    path: "Sources/CBroadcastGemm",
    exclude: ["gemm_body.h"],
    cSettings: [.unsafeFlags(["-O3"])]
)

// MARK: - SHA-256's rounds for model provenance (the x86 SHA extensions where present)

let sha256: Target = .target(name: "CSHA256", path: "Sources/CSHA256", cSettings: [.unsafeFlags(["-O3"])])

// MARK: - OpenCL kernels, embedded in the binary (no resource bundle at run time)

let kernelFiles = [
    "common.cl", "elementwise.cl", "reduce.cl", "matmul.cl", "layout.cl", "optimizer.cl",
    "conv2d.cl", "pool2d.cl", "resample.cl", "camera.cl", "mesh.cl", "raster.cl", "interpolate.cl",
    "texture.cl", "antialias.cl", "shading.cl",
]

let kernels: Target = .target(
    name: "Kernels",
    path: "Sources/Kernels",
    exclude: [],
    resources: kernelFiles.map { .embedInCode($0) }
)

// MARK: - Engine: runtime, tensors, backends, graph, ops, parity harness

let engine: Target = .target(
    name: "Engine",
    dependencies: [
        "CLBridge", "COpenBLAS", "CImageCodecs", "CBroadcastGemm", "CSHA256", "Kernels",
        .product(name: "Numerics", package: "swift-numerics"),
    ],
    path: "Sources/Engine"
)

// MARK: - Executables: the CLI and the benchmark

let cli: Target = .executableTarget(
    name: "ganfit-gpu",
    dependencies: ["Engine", .product(name: "ArgumentParser", package: "swift-argument-parser")],
    path: "Sources/ganfit-gpu"
)

let bench: Target = .executableTarget(
    name: "ganfit-bench",
    dependencies: ["Engine"],
    path: "Benchmarks/ganfit-bench"
)

// MARK: - Tests

let tests: Target = .testTarget(
    name: "EngineTests",
    dependencies: ["Engine", "Kernels"],
    path: "Tests/EngineTests",
    exclude: ["Fixtures"]  // read from the source tree (FileTestSupport.root), not bundled
)

// MARK: - Package

let package = Package(
    name: "ganfit-gpu",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ganfit-gpu", targets: ["ganfit-gpu"]),
        .executable(name: "ganfit-bench", targets: ["ganfit-bench"]),
        .library(name: "Engine", targets: ["Engine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: systemLibraries + [imageCodecs, broadcastGemm, sha256, kernels, engine, cli, bench, tests]
)
