// What `fit --batch` adds to a photo's fit: the landmarks file beside a photo.
import Foundation

enum FitBatch {
    /// PHOTO's landmarks when a .pts file with its name sits beside it (photo.jpg → photo.pts), else nil.
    static func landmarks(beside photo: String) -> String? {
        let path = (photo as NSString).deletingPathExtension + ".pts"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
