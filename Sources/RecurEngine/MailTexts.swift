import Foundation

/// What Recur writes to customers, in each of its languages (vi, en, fr, ms, ja; English
/// for any other). Amounts and dates arrive already formatted by `LocaleFormat`.
/// Each text is a subject and paragraphs; ``MailTexts/compose(_:_:)`` adds the greeting and
/// the closing, and an HTML alternative of the same paragraphs.
enum MailTexts {
    /// The facts a text may mention, formatted for the customer's language.
    struct Facts {
        var customer: String
        var vendor: String
        var number = ""
        var total = ""
        var due = ""
        var amount = ""
        var issueDate = ""
        var dueDate = ""
        var date = ""
        var days = ""
        var plan = ""
        var invoice = ""
        var reason = ""
        /// Invoice paid in full already / credit note outcome / receipt's invoice present.
        var variant = ""
    }

    struct Composed: Equatable {
        var subject: String
        var text: String
        var html: String
    }

    static func compose(_ kind: String, _ lang: String, _ f: Facts) -> Composed {
        let (subject, paragraphs) = body(kind, lang, f)
        let greeting: String
        let closing: [String]
        switch lang {
        case "vi": greeting = "Kính gửi \(f.customer),"; closing = ["Trân trọng,\n\(f.vendor)"]
        case "fr": greeting = "Bonjour \(f.customer),"; closing = ["Cordialement,\n\(f.vendor)"]
        case "ms": greeting = "Kepada \(f.customer),"; closing = ["Sekian, terima kasih.\n\(f.vendor)"]
        case "ja": greeting = "\(f.customer) 御中"; closing = ["今後ともよろしくお願い申し上げます。\n\(f.vendor)"]
        default: greeting = "Dear \(f.customer),"; closing = ["Kind regards,\n\(f.vendor)"]
        }
        let all = [greeting] + paragraphs + closing
        let html = "<!DOCTYPE html>\n<html lang=\"\(lang)\"><head><meta charset=\"utf-8\"><title>\(escape(subject))</title></head>\n"
            + "<body style=\"font-family: sans-serif; line-height: 1.5; color: #222\">\n"
            + all.map { "<p>" + escape($0).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>" }.joined(separator: "\n")
            + "\n</body></html>\n"
        return Composed(subject: subject, text: all.joined(separator: "\n\n") + "\n", html: html)
    }

    static func escape(_ s: String) -> String { s.htmlEscaped }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    static func body(_ kind: String, _ lang: String, _ f: Facts) -> (String, [String]) {
        switch (kind, lang) {
        // MARK: invoice issued
        case ("invoice", "vi"):
            return ("Hóa đơn \(f.number) từ \(f.vendor)",
                    ["\(f.vendor) xin gửi quý khách hóa đơn \(f.number) ngày \(f.issueDate), tổng giá trị \(f.total), đính kèm theo thư này.",
                     f.variant == "paid" ? "Hóa đơn đã được thanh toán đủ, quý khách không cần thực hiện thêm thao tác nào."
                                         : "Số tiền cần thanh toán: \(f.due), hạn thanh toán ngày \(f.dueDate).",
                     "Xin cảm ơn quý khách đã tin dùng dịch vụ của chúng tôi."])
        case ("invoice", "fr"):
            return ("Facture \(f.number) de \(f.vendor)",
                    ["Veuillez trouver ci-joint la facture \(f.number) du \(f.issueDate), d’un montant de \(f.total).",
                     f.variant == "paid" ? "Elle est entièrement réglée : aucune action n’est requise de votre part."
                                         : "Montant à régler : \(f.due), au plus tard le \(f.dueDate).",
                     "Nous vous remercions de votre confiance."])
        case ("invoice", "ms"):
            return ("Invois \(f.number) daripada \(f.vendor)",
                    ["Bersama-sama ini kami lampirkan invois \(f.number) bertarikh \(f.issueDate) berjumlah \(f.total).",
                     f.variant == "paid" ? "Invois ini telah dibayar sepenuhnya; tiada tindakan lanjut diperlukan."
                                         : "Jumlah perlu dibayar: \(f.due), sebelum atau pada \(f.dueDate).",
                     "Terima kasih atas sokongan anda."])
        case ("invoice", "ja"):
            return ("【\(f.vendor)】請求書 \(f.number) のご案内",
                    ["いつもご利用いただき誠にありがとうございます。\n\(f.issueDate)付の請求書 \(f.number)（ご請求金額 \(f.total)）を添付にてお送りいたします。",
                     f.variant == "paid" ? "本請求書はお支払い済みです。お手続きは不要です。"
                                         : "お支払い金額：\(f.due)\nお支払い期限：\(f.dueDate)"])
        case ("invoice", _):
            return ("Invoice \(f.number) from \(f.vendor)",
                    ["Please find attached invoice \(f.number) of \(f.issueDate) for \(f.total).",
                     f.variant == "paid" ? "It has been paid in full; there is nothing more to do."
                                         : "Amount due: \(f.due), payable by \(f.dueDate).",
                     "Thank you for your business."])

        // MARK: receipt
        case ("receipt", "vi"):
            return ("Biên lai \(f.number): đã nhận thanh toán \(f.amount)",
                    ["\(f.vendor) đã nhận được khoản thanh toán \(f.amount) của quý khách vào ngày \(f.date)"
                        + (f.invoice.isEmpty ? "." : " cho hóa đơn \(f.invoice)."),
                     "Biên lai \(f.number) được đính kèm theo thư này.", "Xin chân thành cảm ơn quý khách."])
        case ("receipt", "fr"):
            return ("Reçu \(f.number) : paiement de \(f.amount) reçu",
                    ["Nous avons bien reçu votre paiement de \(f.amount) le \(f.date)" + (f.invoice.isEmpty ? "." : " pour la facture \(f.invoice)."),
                     "Vous trouverez ci-joint le reçu \(f.number).", "Merci pour votre règlement."])
        case ("receipt", "ms"):
            return ("Resit \(f.number): bayaran \(f.amount) diterima",
                    ["Kami telah menerima bayaran anda sebanyak \(f.amount) pada \(f.date)" + (f.invoice.isEmpty ? "." : " bagi invois \(f.invoice)."),
                     "Resit \(f.number) dilampirkan bersama e-mel ini.", "Terima kasih atas bayaran anda."])
        case ("receipt", "ja"):
            return ("【\(f.vendor)】お支払い受領のお知らせ（領収書 \(f.number)）",
                    ["\(f.date)に\(f.amount)のお支払いを確認いたしました" + (f.invoice.isEmpty ? "。" : "（請求書 \(f.invoice) 分）。"),
                     "領収書 \(f.number) を添付いたします。誠にありがとうございました。"])
        case ("receipt", _):
            return ("Receipt \(f.number): payment of \(f.amount) received",
                    ["We received your payment of \(f.amount) on \(f.date)" + (f.invoice.isEmpty ? "." : " for invoice \(f.invoice)."),
                     "Your receipt \(f.number) is attached.", "Thank you for your payment."])

        // MARK: renewal reminder
        case ("renewal_reminder", "vi"):
            return ("Gói \(f.plan) sẽ được gia hạn vào ngày \(f.date)",
                    ["Gói dịch vụ \(f.plan) của quý khách sẽ được gia hạn sau \(f.days) ngày, vào ngày \(f.date).",
                     "Nếu quý khách muốn thay đổi hoặc hủy gói, vui lòng thực hiện trước ngày này."])
        case ("renewal_reminder", "fr"):
            return ("Votre abonnement \(f.plan) sera renouvelé le \(f.date)",
                    ["Votre abonnement \(f.plan) sera renouvelé dans \(f.days) jours, le \(f.date).",
                     "Si vous souhaitez le modifier ou le résilier, merci de le faire avant cette date."])
        case ("renewal_reminder", "ms"):
            return ("Langganan \(f.plan) anda akan diperbaharui pada \(f.date)",
                    ["Langganan \(f.plan) anda akan diperbaharui dalam masa \(f.days) hari lagi, pada \(f.date).",
                     "Jika anda ingin mengubah atau membatalkannya, sila berbuat demikian sebelum tarikh tersebut."])
        case ("renewal_reminder", "ja"):
            return ("【\(f.vendor)】\(f.plan) 更新日のお知らせ（\(f.date)）",
                    ["ご契約中の \(f.plan) は、\(f.days)日後の\(f.date)に更新されます。",
                     "プランの変更・解約をご希望の場合は、更新日までにお手続きをお願いいたします。"])
        case ("renewal_reminder", _):
            return ("Your \(f.plan) subscription renews on \(f.date)",
                    ["This is a reminder that your \(f.plan) subscription renews in \(f.days) days, on \(f.date).",
                     "If you would like to change or cancel it, please do so before that date."])

        // MARK: trial ending
        case ("trial_reminder", "vi"):
            return ("Thời gian dùng thử \(f.plan) sẽ kết thúc vào ngày \(f.date)",
                    ["Thời gian dùng thử miễn phí gói \(f.plan) của quý khách sẽ kết thúc sau \(f.days) ngày, vào ngày \(f.date).",
                     "Để tiếp tục sử dụng không gián đoạn, vui lòng thêm phương thức thanh toán hoặc chọn gói dịch vụ trước thời điểm này."])
        case ("trial_reminder", "fr"):
            return ("Votre essai de \(f.plan) se termine le \(f.date)",
                    ["Votre période d’essai gratuite de \(f.plan) se termine dans \(f.days) jours, le \(f.date).",
                     "Pour continuer sans interruption, ajoutez un moyen de paiement ou choisissez une formule d’ici là."])
        case ("trial_reminder", "ms"):
            return ("Tempoh percubaan \(f.plan) anda tamat pada \(f.date)",
                    ["Tempoh percubaan percuma \(f.plan) anda akan tamat dalam masa \(f.days) hari lagi, pada \(f.date).",
                     "Untuk terus menggunakannya tanpa gangguan, sila tambah kaedah pembayaran atau pilih pelan sebelum tarikh itu."])
        case ("trial_reminder", "ja"):
            return ("【\(f.vendor)】\(f.plan) 無料トライアル終了のお知らせ（\(f.date)）",
                    ["\(f.plan) の無料トライアルは、\(f.days)日後の\(f.date)に終了します。",
                     "引き続きご利用いただくには、それまでにお支払い方法のご登録またはプランの選択をお願いいたします。"])
        case ("trial_reminder", _):
            return ("Your \(f.plan) trial ends on \(f.date)",
                    ["Your free trial of \(f.plan) ends in \(f.days) days, on \(f.date).",
                     "To keep using it without interruption, please add a payment method or choose a plan before then."])

        // MARK: dunning: a failed charge
        case ("payment_failed", "vi"):
            return ("Thanh toán hóa đơn \(f.number) không thành công",
                    ["Chúng tôi chưa thể thu khoản \(f.due) cho hóa đơn \(f.number) (\(f.reason)).",
                     "Hệ thống sẽ thử thu lại trong những ngày tới. Để tránh gián đoạn dịch vụ, vui lòng kiểm tra phương thức thanh toán hoặc thanh toán trực tiếp hóa đơn đính kèm."])
        case ("payment_failed", "fr"):
            return ("Échec du paiement de la facture \(f.number)",
                    ["Nous n’avons pas pu encaisser \(f.due) pour la facture \(f.number) (\(f.reason)).",
                     "Nous réessaierons dans les prochains jours. Pour éviter une interruption du service, vérifiez votre moyen de paiement ou réglez directement la facture ci-jointe."])
        case ("payment_failed", "ms"):
            return ("Bayaran bagi invois \(f.number) tidak berjaya",
                    ["Kami tidak dapat mengutip \(f.due) bagi invois \(f.number) (\(f.reason)).",
                     "Kami akan mencuba semula dalam beberapa hari akan datang. Untuk mengelakkan gangguan perkhidmatan, sila semak kaedah pembayaran anda atau jelaskan invois yang dilampirkan secara terus."])
        case ("payment_failed", "ja"):
            return ("【\(f.vendor)】請求書 \(f.number) のお支払いができませんでした",
                    ["請求書 \(f.number) のご請求金額 \(f.due) の決済ができませんでした（\(f.reason)）。",
                     "数日以内に再度決済を試みます。サービスの停止を避けるため、お支払い方法をご確認いただくか、添付の請求書を直接お支払いください。"])
        case ("payment_failed", _):
            return ("Payment failed for invoice \(f.number)",
                    ["We could not collect \(f.due) for invoice \(f.number) (\(f.reason)).",
                     "We will try again in the coming days. To avoid an interruption of service, please check your payment method or pay the attached invoice directly."])

        // MARK: dunning: overdue
        case ("overdue", "vi"):
            return ("Hóa đơn \(f.number) đã quá hạn thanh toán",
                    ["Hóa đơn \(f.number) với số tiền \(f.due) đến hạn thanh toán vào ngày \(f.dueDate) và hiện đã quá hạn \(f.days) ngày.",
                     "Vui lòng thanh toán sớm để dịch vụ không bị gián đoạn. Hóa đơn được đính kèm theo thư này."])
        case ("overdue", "fr"):
            return ("La facture \(f.number) est en retard de paiement",
                    ["La facture \(f.number) d’un montant de \(f.due) était payable le \(f.dueDate) ; elle est en retard de \(f.days) jours.",
                     "Merci de la régler au plus vite pour que votre abonnement reste actif. La facture est jointe à ce message."])
        case ("overdue", "ms"):
            return ("Invois \(f.number) telah tertunggak",
                    ["Invois \(f.number) berjumlah \(f.due) perlu dibayar pada \(f.dueDate) dan kini telah tertunggak selama \(f.days) hari.",
                     "Sila jelaskan secepat mungkin supaya langganan anda kekal aktif. Invois dilampirkan bersama e-mel ini."])
        case ("overdue", "ja"):
            return ("【\(f.vendor)】請求書 \(f.number) のお支払い期限を過ぎています",
                    ["請求書 \(f.number)（\(f.due)）のお支払い期限は\(f.dueDate)でしたが、\(f.days)日を過ぎた現在もお支払いを確認できておりません。",
                     "サービスを継続してご利用いただくため、お早めにお支払いをお願いいたします。請求書を添付いたします。"])
        case ("overdue", _):
            return ("Invoice \(f.number) is overdue",
                    ["Invoice \(f.number) for \(f.due) was due on \(f.dueDate) and is now \(f.days) days overdue.",
                     "Please pay it as soon as possible to keep your subscription active. The invoice is attached."])

        // MARK: expired
        case ("expired", "vi"):
            return ("Gói \(f.plan) của quý khách đã hết hạn",
                    ["Gói dịch vụ \(f.plan) của quý khách đã hết hạn vào ngày \(f.date).",
                     "Để khôi phục quyền truy cập, vui lòng thanh toán hóa đơn còn nợ hoặc gia hạn gói dịch vụ."])
        case ("expired", "fr"):
            return ("Votre abonnement \(f.plan) a expiré",
                    ["Votre abonnement \(f.plan) a expiré le \(f.date).",
                     "Pour retrouver l’accès, réglez la facture en attente ou renouvelez votre abonnement."])
        case ("expired", "ms"):
            return ("Langganan \(f.plan) anda telah tamat tempoh",
                    ["Langganan \(f.plan) anda telah tamat tempoh pada \(f.date).",
                     "Untuk memulihkan akses, sila jelaskan invois tertunggak atau perbaharui langganan anda."])
        case ("expired", "ja"):
            return ("【\(f.vendor)】\(f.plan) のご契約が期限切れとなりました",
                    ["\(f.plan) のご契約は\(f.date)に期限切れとなりました。",
                     "ご利用を再開するには、未払いの請求書をお支払いいただくか、ご契約を更新してください。"])
        case ("expired", _):
            return ("Your \(f.plan) subscription has expired",
                    ["Your \(f.plan) subscription expired on \(f.date).",
                     "To restore access, please pay the outstanding invoice or renew your subscription."])

        // MARK: locked
        case ("locked", "vi"):
            return ("Tài khoản \(f.plan) của quý khách đã bị khóa",
                    ["Do gói dịch vụ \(f.plan) chưa được thanh toán, quyền truy cập đã bị khóa từ ngày \(f.date).",
                     "Dữ liệu của quý khách vẫn được lưu giữ; vui lòng thanh toán hóa đơn còn nợ để mở khóa."])
        case ("locked", "fr"):
            return ("Votre accès à \(f.plan) a été verrouillé",
                    ["Votre abonnement \(f.plan) étant resté impayé, l’accès a été verrouillé le \(f.date).",
                     "Vos données sont conservées ; réglez la facture en attente pour le déverrouiller."])
        case ("locked", "ms"):
            return ("Akaun \(f.plan) anda telah dikunci",
                    ["Oleh sebab langganan \(f.plan) anda masih belum dibayar, akses telah dikunci pada \(f.date).",
                     "Data anda tetap disimpan; sila jelaskan invois tertunggak untuk membuka semula akses."])
        case ("locked", "ja"):
            return ("【\(f.vendor)】\(f.plan) のご利用を停止しました",
                    ["\(f.plan) のご利用料金が未払いのため、\(f.date)よりご利用を停止いたしました。",
                     "データは保持されています。未払いの請求書をお支払いいただくと、ご利用を再開できます。"])
        case ("locked", _):
            return ("Your \(f.plan) access has been locked",
                    ["As your \(f.plan) subscription has remained unpaid, access was locked on \(f.date).",
                     "Your data is kept; pay the outstanding invoice to unlock it."])

        // MARK: credit note
        case ("credit_note", "vi"):
            return ("Phiếu ghi có \(f.number) cho hóa đơn \(f.invoice)",
                    ["Chúng tôi đã phát hành phiếu ghi có \(f.number) trị giá \(f.amount) cho hóa đơn \(f.invoice).",
                     f.variant == "customer_balance" ? "Số tiền này đã được cộng vào số dư tài khoản của quý khách và sẽ được trừ vào các hóa đơn tiếp theo."
                        : f.variant == "refund" ? "Số tiền này sẽ được hoàn lại cho quý khách."
                        : "Số tiền này được trừ vào số tiền còn phải trả của hóa đơn."])
        case ("credit_note", "fr"):
            return ("Avoir \(f.number) sur la facture \(f.invoice)",
                    ["Nous avons émis l’avoir \(f.number) d’un montant de \(f.amount) sur la facture \(f.invoice).",
                     f.variant == "customer_balance" ? "Le montant a été porté au crédit de votre compte et sera déduit de vos prochaines factures."
                        : f.variant == "refund" ? "Ce montant vous sera remboursé."
                        : "Il réduit d’autant le montant restant dû sur cette facture."])
        case ("credit_note", "ms"):
            return ("Nota kredit \(f.number) bagi invois \(f.invoice)",
                    ["Kami telah mengeluarkan nota kredit \(f.number) berjumlah \(f.amount) bagi invois \(f.invoice).",
                     f.variant == "customer_balance" ? "Jumlah ini telah dikreditkan ke baki akaun anda dan akan digunakan untuk invois anda yang seterusnya."
                        : f.variant == "refund" ? "Jumlah ini akan dikembalikan kepada anda."
                        : "Jumlah ini mengurangkan baki yang perlu dibayar bagi invois tersebut."])
        case ("credit_note", "ja"):
            return ("【\(f.vendor)】請求書 \(f.invoice) のクレジットノート \(f.number)",
                    ["請求書 \(f.invoice) に対し、\(f.amount)のクレジットノート \(f.number) を発行いたしました。",
                     f.variant == "customer_balance" ? "この金額はお客様のアカウント残高に計上され、次回以降のご請求に充当されます。"
                        : f.variant == "refund" ? "この金額はご返金いたします。"
                        : "同請求書のお支払い金額から差し引かれます。"])
        default: // credit_note in English, and anything unknown
            return ("Credit note \(f.number) for invoice \(f.invoice)",
                    ["We have issued credit note \(f.number) for \(f.amount) against invoice \(f.invoice).",
                     f.variant == "customer_balance" ? "The amount has been credited to your account balance and will be applied to your next invoices."
                        : f.variant == "refund" ? "The amount will be refunded to you."
                        : "It lowers the amount due on that invoice."])
        }
    }
}
