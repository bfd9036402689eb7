// Package handlers is Undersigned's HTTP side: the URL map, one file per
// area, the forms, and the middleware for sessions, CSRF, headers and limits.
package handlers

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
)

// routes is the whole URL map.
func (h *Handler) routes(app *fiber.App) {
	app.Use(h.securityHeaders, compress, requestid.New(), h.logRequests, recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: h.logPanic}),
		h.canonicalPaths, h.readBody, h.checkCSRF)

	app.Get("/static/*", h.static)
	app.Get("/healthz", h.health)

	// Exports, the read-only JSON API and the feed: public data, which any
	// site may read. Before /letters/:slug, which would take "slug.json".
	app.Get("/feed.atom", h.feed)
	app.Get("/letters/:slug.json", h.jsonAPI, h.apiLetter)
	app.Get("/letters/:slug/signatories.json", h.jsonAPI, h.apiSignatories)
	app.Get("/letters/:slug/signatories.csv", h.signatoriesCSV)
	api := app.Group("/api", h.jsonAPI)
	api.Get("/letters", h.apiLetters)
	api.Get("/letters/:slug", h.apiLetter)
	api.Get("/letters/:slug/signatories", h.apiSignatories)

	// The public: letters and their lists.
	app.Get("/", h.index)
	app.Get("/letters/:slug", h.letter)
	app.Get("/letters/:slug/signatories", h.signatories)
	app.Get("/letters/:slug/as-of/:date", h.snapshot)
	app.Get("/letters/:slug/revisions/:n", h.revision)
	app.Get("/letters/:slug/print", h.printLetter)
	app.Get("/letters/:slug/print.css", h.printStylesheet)
	app.Get("/letters/:slug/packet.pdf", h.packetPDF)
	app.Get("/letters/:slug/responses/:update.pdf", h.responsePDF)
	app.Get("/letters/:slug/embed", h.embed) // the only page other sites may frame
	app.Post("/letters/:slug/sign", h.sign)
	app.Get("/letters/:slug/thanks", h.thanks)
	app.Post("/letters/:slug/resend", h.resend)
	app.Get("/privacy", h.privacy)

	// A letter's published translations, each at its language's address
	// (/letters/{slug}/fr): the pages above in that version, with the one
	// list. After the routes above, whose fixed words are no language; an
	// unknown or unpublished language is 404 (see publicVersion).
	app.Get("/letters/:slug/:lang.json", h.jsonAPI, h.apiLetter)
	app.Get("/letters/:slug/:lang/signatories.json", h.jsonAPI, h.apiSignatories)
	app.Get("/letters/:slug/:lang/signatories.csv", h.signatoriesCSV)
	api.Get("/letters/:slug/:lang", h.apiLetter)
	api.Get("/letters/:slug/:lang/signatories", h.apiSignatories)
	app.Get("/letters/:slug/:lang", h.letter)
	app.Get("/letters/:slug/:lang/signatories", h.signatories)
	app.Get("/letters/:slug/:lang/as-of/:date", h.snapshot)
	app.Get("/letters/:slug/:lang/revisions/:n", h.revision)
	app.Get("/letters/:slug/:lang/print", h.printLetter)
	app.Get("/letters/:slug/:lang/print.css", h.printStylesheet)
	app.Get("/letters/:slug/:lang/packet.pdf", h.packetPDF)
	app.Get("/letters/:slug/:lang/embed", h.embed)
	app.Post("/letters/:slug/:lang/sign", h.sign)
	app.Get("/letters/:slug/:lang/thanks", h.thanks)
	app.Post("/letters/:slug/:lang/resend", h.resend)

	// A signer's private links: confirmation, and changing or withdrawing a signature.
	// Opening a link changes nothing: mail scanners open links too. Its page
	// has the button that acts.
	app.Get("/confirm/:token", h.confirmPage)
	app.Post("/confirm/:token", h.confirm)
	app.Post("/confirm/:token/renew", h.renewConfirmation)
	app.Get("/signature/:token", h.manageSignature)
	app.Post("/signature/:token/display", h.setDisplay)
	app.Post("/signature/:token/withdraw", h.withdraw)
	// Agreeing to a revised text, or withdrawing, from the emailed link.
	app.Get("/reconfirm/:token", h.reconfirmPage)
	app.Post("/reconfirm/:token", h.reconfirm)
	app.Post("/reconfirm/:token/withdraw", h.withdrawByReconfirmation)
	// A partner's invitation to sign for their organisation, and to decline.
	app.Get("/invited/:token", h.invitedPage)
	app.Post("/invited/:token", h.signInvited)
	app.Get("/invited/:token/decline", h.declinePage)
	app.Post("/invited/:token/decline", h.decline)
	// Stopping the news a signer asked for, from the link in each email:
	// the page's button, or one click from the mail program (RFC 8058).
	app.Get("/news/unsubscribe/:token", h.unsubscribePage)
	app.Post("/news/unsubscribe/:token", h.unsubscribe)

	// Coordinators' accounts.
	app.Get("/login", h.loginForm)
	app.Post("/login", h.login)
	app.Post("/logout", h.logout)
	app.Get("/setup/:token", h.setupForm)
	app.Post("/setup/:token", h.setup)
	app.Get("/join/:token", h.joinForm)
	app.Post("/join/:token", h.join)

	// The dashboard: every route checks the coordinator, and each letter
	// route checks the letter belongs to one of their organisations.
	d := app.Group("/dashboard", h.requireCoordinator)
	d.Get("", h.dashboard)
	d.Post("/organisations/:org/invitations", h.createInvitation)
	d.Get("/co-initiations/:token", h.coInitiationPage)
	d.Post("/co-initiations/:token", h.acceptCoInitiation)
	// An organisation's directory of partners: its coordinators' own.
	d.Get("/organisations/:org/partners", h.withOrganisation(h.partners))
	d.Post("/organisations/:org/partners", h.withOrganisation(h.addPartner))
	d.Get("/organisations/:org/partners/import", h.withOrganisation(h.partnerImportForm))
	d.Post("/organisations/:org/partners/import/preview", h.withOrganisation(h.previewPartnerImport))
	d.Post("/organisations/:org/partners/import", h.withOrganisation(h.importPartners))
	d.Post("/organisations/:org/partners/from-letters", h.withOrganisation(h.partnersFromLetters))
	d.Get("/organisations/:org/partners/:partner", h.withPartner(h.editPartner))
	d.Post("/organisations/:org/partners/:partner", h.withPartner(h.savePartner))
	d.Post("/organisations/:org/partners/:partner/contacts", h.withPartner(h.addContact))
	d.Post("/organisations/:org/partners/:partner/contacts/:contact/delete", h.withPartner(h.removeContact))
	d.Post("/organisations/:org/partners/:partner/delete", h.withPartner(h.deletePartner))
	d.Get("/letters/new", h.newLetter)
	d.Post("/letters", h.createLetter)
	d.Get("/letters/:id", h.withLetter(h.editLetter))
	d.Post("/letters/:id", h.withLetter(h.saveLetterText))
	d.Post("/letters/:id/settings", h.withLetter(h.saveLetterSettings))
	d.Post("/letters/:id/state", h.withLetter(h.setLetterState))
	d.Post("/letters/:id/co-initiators", h.withLetter(h.inviteCoInitiator))
	d.Get("/letters/:id/preview", h.withLetter(h.previewLetter))
	d.Get("/letters/:id/signatures", h.withLetter(h.signatures))
	d.Get("/letters/:id/signatures.csv", h.withLetter(h.exportSignatures))
	d.Get("/letters/:id/review", h.withLetter(h.reviewQueue))
	d.Post("/letters/:id/review", h.withLetter(h.moderate))
	d.Post("/letters/:id/signatures/batch", h.withLetter(h.batchSignatures))
	d.Post("/letters/:id/signatures/:sig/sort-name", h.withLetter(h.setSortName))
	d.Post("/letters/:id/signatures/:sig/verify", h.withLetter(h.verifySignature))
	d.Post("/letters/:id/signatures/:sig/merge", h.withLetter(h.mergeSignature))
	d.Get("/letters/:id/import", h.withLetter(h.importForm))
	d.Post("/letters/:id/import/preview", h.withLetter(h.previewImport))
	d.Post("/letters/:id/import", h.withLetter(h.importSignatures))
	d.Post("/letters/:id/snapshots", h.withLetter(h.publishSnapshot))
	d.Post("/letters/:id/reconfirm", h.withLetter(h.askReconfirmation))
	d.Post("/letters/:id/updates", h.withLetter(h.postUpdate))
	d.Post("/letters/:id/updates/:update/delete", h.withLetter(h.deleteUpdate))
	d.Post("/letters/:id/updates/:update/send", h.withLetter(h.sendNews))
	d.Post("/letters/:id/responses", h.withLetter(h.postResponse)) // multipart, with a PDF: see readUpload
	d.Get("/letters/:id/invitations", h.withLetter(h.invitationBoard))
	d.Post("/letters/:id/invitations", h.withLetter(h.invitePartners))
	d.Post("/letters/:id/invitations/remind", h.withLetter(h.remindInvitations))
	d.Get("/letters/:id/invitations.csv", h.withLetter(h.exportInvitations))
	// Delivering the letter: its addressees' roles and addresses, and its deliveries.
	d.Get("/letters/:id/addressees", h.withLetter(h.addresseesPage))
	d.Post("/letters/:id/addressees", h.withLetter(h.saveAddressees))
	d.Get("/letters/:id/deliveries", h.withLetter(h.deliveriesPage))
	d.Post("/letters/:id/deliveries", h.withLetter(h.deliver))
	d.Get("/letters/:id/translations/:lang", h.withLetter(h.editTranslation))
	d.Post("/letters/:id/translations/:lang", h.withLetter(h.saveTranslation))
	d.Get("/letters/:id/translations/:lang/preview", h.withLetter(h.previewTranslation))

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	h.tokenPaths = findTokenPaths(app.GetRoutes())
}
