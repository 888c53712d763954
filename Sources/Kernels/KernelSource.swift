// The OpenCL C sources, embedded at build time; GANFIT_KERNEL_DIR may point at a folder of
// edited `.cl` files that then win over the embedded ones (edit and re-run, no rebuild).
import Foundation

public enum KernelSource {
    /// Every embedded kernel file, by file name.
    public static let embedded: [String: [UInt8]] = [
        "common.cl": PackageResources.common_cl,
        "elementwise.cl": PackageResources.elementwise_cl,
        "reduce.cl": PackageResources.reduce_cl,
        "matmul.cl": PackageResources.matmul_cl,
        "layout.cl": PackageResources.layout_cl,
        "optimizer.cl": PackageResources.optimizer_cl,
        "conv2d.cl": PackageResources.conv2d_cl,
        "pool2d.cl": PackageResources.pool2d_cl,
        "resample.cl": PackageResources.resample_cl,
        "camera.cl": PackageResources.camera_cl,
        "mesh.cl": PackageResources.mesh_cl,
        "raster.cl": PackageResources.raster_cl,
        "interpolate.cl": PackageResources.interpolate_cl,
        "texture.cl": PackageResources.texture_cl,
        "antialias.cl": PackageResources.antialias_cl,
        "shading.cl": PackageResources.shading_cl,
    ]

    /// The source text of `file` (e.g. "matmul.cl"): from `GANFIT_KERNEL_DIR` when that folder
    /// holds the file, else the embedded copy; nil for an unknown name.
    public static func text(_ file: String) -> String? {
        if let dir = ProcessInfo.processInfo.environment["GANFIT_KERNEL_DIR"], !dir.isEmpty,
           let edited = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8) {
            return edited
        }
        return embedded[file].map { String(decoding: $0, as: UTF8.self) }
    }
}
