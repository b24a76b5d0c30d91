package web

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"html/template"

	"github.com/ctidesk/ctidesk/internal/desk"
)

// catalog holds the messages of every language and the translations of the
// domain's error messages.
type catalog struct {
	messages map[string][2]string // key -> English, French
	errors   []errorTranslation
}

// errorTranslation translates a domain error message: the English format
// string of desk (or of the store, or of this package) becomes a pattern,
// whose captured arguments fill the French format.
type errorTranslation struct {
	pattern *regexp.Regexp
	fr      string
}

// langIndex returns the column of a language in the messages.
func langIndex(lang string) int {
	if lang == "FR FR" {
		return 1
	}
	return 0
}

func newCatalog() (*catalog, error) {
	c := &catalog{messages: messages}
	for key, m := range messages {
		if m[0] == "" || m[1] == "" {
			return nil, fmt.Errorf("web: message %q lacks a language", key)
		}
	}
	for _, e := range errorMessages {
		re, err := formatPattern(e[0])
		if err != nil {
			return nil, fmt.Errorf("web: error message %q: %w", e[0], err)
		}
		c.errors = append(c.errors, errorTranslation{pattern: re, fr: e[1]})
	}
	return c, nil
}

// formatPattern turns a fmt format with %s, %q and %d verbs into an anchored
// regular expression that captures each argument.
func formatPattern(format string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteString(regexp.QuoteMeta(format[i : i+1]))
			continue
		}
		i++
		switch format[i] {
		case 's', 'q', 'v':
			b.WriteString("(.*?)")
		case 'd':
			b.WriteString(`(-?\d+)`)
		case '%':
			b.WriteString("%")
		default:
			return nil, fmt.Errorf("verb %%%c not supported", format[i])
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// has reports whether key is a message.
func (c *catalog) has(key string) bool {
	_, ok := c.messages[key]
	return ok
}

// t returns the message of key in lang, formatted with args; an unknown key
// shows as itself, which a test prevents.
func (c *catalog) t(lang, key string, args ...any) string {
	m, ok := c.messages[key]
	if !ok {
		return key
	}
	msg := m[langIndex(lang)]
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// errorMessage returns the user-facing message of err in lang. Domain
// messages are English; in French a known one is translated and an unknown
// one gives way to the generic message of its code, so that a French page
// never shows English.
func (c *catalog) errorMessage(lang string, err error) string {
	msg := desk.ErrorMessage(err)
	code := desk.ErrorCode(err)
	if code == desk.EINTERNAL {
		return c.t(lang, "error.internal.message")
	}
	if langIndex(lang) == 0 {
		return msg
	}
	for _, e := range c.errors {
		if m := e.pattern.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, a := range m[1:] {
				args[i] = a
			}
			return fmt.Sprintf(e.fr, args...)
		}
	}
	return c.t(lang, "error."+code+".message")
}

// lang returns the language of the request: the user's, or for a visitor
// not logged in the best of Accept-Language, or English.
func (s *Server) lang(r *http.Request) string {
	if u := desk.UserFromContext(r.Context()); u != nil && slices.Contains(desk.Languages, u.Language) {
		return u.Language
	}
	return acceptLanguage(r.Header.Get("Accept-Language"), s.defaultLang)
}

// acceptLanguage picks the supported language the browser prefers, or
// fallback when it names none.
func acceptLanguage(header, fallback string) string {
	if !slices.Contains(desk.Languages, fallback) {
		fallback = desk.Languages[0]
	}
	best, bestQ := fallback, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		for _, l := range desk.Languages {
			if strings.ToLower(l[:2]) == primary && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	return best
}

// templateKeys returns the literal keys of every `t "key"` call in the
// templates of t.
func templateKeys(t *template.Template) []string {
	var keys []string
	walkTemplates(t, func(n parse.Node) {
		if c, ok := n.(*parse.CommandNode); ok && len(c.Args) >= 2 {
			if id, ok := c.Args[0].(*parse.IdentifierNode); ok && id.Ident == "t" {
				if s, ok := c.Args[1].(*parse.StringNode); ok {
					keys = append(keys, s.Text)
				}
			}
		}
	})
	return keys
}

// walkTemplates calls visit with every node of t's templates, a node before
// the nodes it holds.
func walkTemplates(t *template.Template, visit func(parse.Node)) {
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		if n == nil || reflect.ValueOf(n).IsNil() {
			return
		}
		visit(n)
		switch n := n.(type) {
		case *parse.ListNode:
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
}

// translateConstants writes the message of every action {{t "key"}} (a
// constant key, no argument) of t's templates into the template as text,
// escaped, in lang: a page has dozens of them, each a reflective call of t
// and of an escaper at every render (a quarter of a screen pop's CPU went to
// rendering, docs/performance.md). Call it before the first execution; an
// unknown key is an error. Such actions stand in text and in quoted
// attribute values only, where escaped text is what the escaper would write.
func (c *catalog) translateConstants(t *template.Template, lang string) error {
	var err error
	walkTemplates(t, func(n parse.Node) {
		list, ok := n.(*parse.ListNode)
		if !ok {
			return
		}
		for i, child := range list.Nodes {
			key, ok := constantMessage(child)
			if !ok {
				continue
			}
			if !c.has(key) {
				err = errors.Join(err, fmt.Errorf("unknown message key %q", key))
				continue
			}
			list.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: child.Position(),
				Text: []byte(html.EscapeString(c.t(lang, key)))}
		}
	})
	if err != nil {
		return fmt.Errorf("template %s: %w", t.Name(), err)
	}
	return nil
}

// constantMessage returns the key of an action {{t "key"}}.
func constantMessage(n parse.Node) (string, bool) {
	a, ok := n.(*parse.ActionNode)
	if !ok || a.Pipe == nil || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 2 {
		return "", false
	}
	args := a.Pipe.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); !ok || id.Ident != "t" {
		return "", false
	}
	key, ok := args[1].(*parse.StringNode)
	if !ok {
		return "", false
	}
	return key.Text, true
}

// messages holds every label and message of the pages: key -> {English,
// French}. Enumerations use a prefix and the value ("status.new",
// "kind.Incident") through the template function label.
var messages = map[string][2]string{
	"format.datetime": {"Jan 2, 2006 3:04 PM", "02/01/2006 15:04"},

	"layout.skip":       {"Skip to content", "Aller au contenu"},
	"nav.label":         {"Main", "Principal"},
	"nav.home":          {"Home", "Accueil"},
	"nav.tickets":       {"Tickets", "Tickets"},
	"nav.persons":       {"Persons", "Personnes"},
	"nav.organizations": {"Organizations", "Organisations"},
	"nav.logout":        {"Log out", "Se déconnecter"},
	"nav.language":      {"Change the language", "Changer la langue"},
	"lang.EN US":        {"English", "English"},
	"lang.FR FR":        {"Français", "Français"},
	"langtag.EN US":     {"en", "en"},
	"langtag.FR FR":     {"fr", "fr"},

	"search.label":       {"Search persons and tickets", "Rechercher des personnes et des tickets"},
	"search.placeholder": {"Name, email, number, R-000123…", "Nom, e-mail, numéro, R-000123…"},
	"search.shortcut":    {"Press / to search", "Appuyez sur / pour rechercher"},
	"search.button":      {"Search", "Rechercher"},
	"search.title":       {"Search", "Recherche"},
	"search.hint": {"Type a name, an email, a phone number, a ticket reference or words of a title.",
		"Saisissez un nom, un e-mail, un numéro de téléphone, une référence de ticket ou des mots d'un titre."},
	"search.more": {"See all results", "Voir tous les résultats"},

	"login.title":    {"Log in", "Connexion"},
	"login.login":    {"Login", "Identifiant"},
	"login.password": {"Password", "Mot de passe"},
	"login.submit":   {"Log in", "Se connecter"},
	"login.failed":   {"Unknown login or wrong password.", "Identifiant inconnu ou mot de passe incorrect."},
	"login.throttled": {"Too many failed logins. Wait %d minutes and try again, or ask an administrator.",
		"Trop d'échecs de connexion. Attendez %d minutes avant de réessayer, ou adressez-vous à un administrateur."},
	"sessions.title": {"Sessions", "Sessions"},
	"sessions.intro": {"End every session of a user, in every browser: after a lost laptop, or when someone leaves.",
		"Fermer toutes les sessions d'un utilisateur, dans tous les navigateurs : après la perte d'un portable, ou un départ."},
	"sessions.end":          {"End all sessions", "Fermer toutes les sessions"},
	"nav.logout_everywhere": {"Log out everywhere", "Se déconnecter partout"},

	"home.title":   {"Service desk", "Centre de services"},
	"home.ongoing": {"ongoing tickets", "tickets en cours"},
	"home.new":     {"new tickets", "nouveaux tickets"},
	"home.recent":  {"Latest ongoing tickets", "Derniers tickets en cours"},

	"action.edit":   {"Edit", "Modifier"},
	"action.save":   {"Save", "Enregistrer"},
	"action.create": {"Create", "Créer"},
	"action.cancel": {"Cancel", "Annuler"},

	"form.choose":     {"— Choose —", "— Choisir —"},
	"form.none":       {"— None —", "— Aucun —"},
	"form.has_errors": {"Please correct the fields marked below.", "Veuillez corriger les champs signalés ci-dessous."},

	"filter.all":   {"All", "Tous"},
	"filter.apply": {"Filter", "Filtrer"},
	"filter.clear": {"Clear filters", "Effacer les filtres"},

	"pager.label": {"Pages", "Pages"},
	"pager.prev":  {"← Previous", "← Précédente"},
	"pager.next":  {"Next →", "Suivante →"},
	"pager.page":  {"Page %d of %d", "Page %d sur %d"},

	"field.name":            {"Name", "Nom"},
	"field.first_name":      {"First name", "Prénom"},
	"field.org_id":          {"Organization", "Organisation"},
	"field.location_id":     {"Location", "Site"},
	"field.email":           {"Email", "E-mail"},
	"field.phone":           {"Phone", "Téléphone"},
	"field.mobile_phone":    {"Mobile phone", "Téléphone mobile"},
	"field.home_phone":      {"Home phone", "Téléphone personnel"},
	"field.employee_number": {"Employee number", "Matricule"},
	"field.support_id":      {"Support ID", "Identifiant support"},
	"field.function":        {"Function", "Fonction"},
	"field.status":          {"Status", "Statut"},
	"field.code":            {"Code", "Code"},
	"field.ref":             {"Reference", "Référence"},
	"field.kind":            {"Type", "Type"},
	"field.title":           {"Title", "Titre"},
	"field.description":     {"Description", "Description"},
	"field.caller_id":       {"Caller", "Demandeur"},
	"field.agent_id":        {"Agent", "Agent"},
	"field.origin":          {"Origin", "Origine"},
	"field.priority":        {"Priority", "Priorité"},
	"field.urgency":         {"Urgency", "Urgence"},
	"field.impact":          {"Impact", "Impact"},
	"field.start_date":      {"Start date", "Date de début"},
	"field.last_update":     {"Last update", "Dernière mise à jour"},
	"field.close_date":      {"Close date", "Date de clôture"},
	"field.public_log":      {"Public log", "Journal public"},
	"field.private_log":     {"Private log", "Journal privé"},

	"personstatus.active":   {"Active", "Actif"},
	"personstatus.inactive": {"Inactive", "Inactif"},

	"persons.search": {"Name, email or number", "Nom, e-mail ou numéro"},
	"persons.count":  {"%d persons", "%d personnes"},
	"persons.none":   {"No person found.", "Aucune personne trouvée."},
	"person.new":     {"New person", "Nouvelle personne"},
	"person.edit":    {"Edit person", "Modifier la personne"},
	"person.phones":  {"Phones", "Téléphones"},
	"person.tickets": {"Tickets of this person", "Tickets de cette personne"},
	"person.all_tickets": {"All tickets of this person",
		"Tous les tickets de cette personne"},
	"person.load_locations": {"Load the locations", "Charger les sites"},

	"organizations.search":  {"Name or code", "Nom ou code"},
	"organizations.count":   {"%d organizations", "%d organisations"},
	"organizations.none":    {"No organization found.", "Aucune organisation trouvée."},
	"organization.new":      {"New organization", "Nouvelle organisation"},
	"organization.edit":     {"Edit organization", "Modifier l'organisation"},
	"organization.contacts": {"Contacts", "Contacts"},
	"organization.all_contacts": {"All contacts of this organization",
		"Tous les contacts de cette organisation"},
	"organization.all_tickets": {"All tickets of this organization",
		"Tous les tickets de cette organisation"},

	"tickets.search":  {"Reference or title", "Référence ou titre"},
	"tickets.ongoing": {"Ongoing only", "En cours seulement"},
	"tickets.count":   {"%d tickets", "%d tickets"},
	"tickets.none":    {"No ticket.", "Aucun ticket."},

	"kind.UserRequest": {"User request", "Demande utilisateur"},
	"kind.Incident":    {"Incident", "Incident"},
	"kind.Problem":     {"Problem", "Problème"},
	"kind.Change":      {"Change", "Changement"},

	"ticket.new.UserRequest": {"New user request", "Nouvelle demande utilisateur"},
	"ticket.new.Incident":    {"New incident", "Nouvel incident"},
	"ticket.new.Problem":     {"New problem", "Nouveau problème"},
	"ticket.new.Change":      {"New change", "Nouveau changement"},
	"ticket.edit":            {"Edit", "Modifier"},
	"ticket.change_status":   {"Change the status", "Changer le statut"},
	"ticket.no_description":  {"No description.", "Aucune description."},
	"ticket.load_callers":    {"Load the contacts", "Charger les contacts"},
	"ticket.choose_org_first": {"— Choose an organization, then load its contacts —",
		"— Choisissez une organisation, puis chargez ses contacts —"},
	"ticket.me": {"%s (me)", "%s (moi)"},

	"status.new":      {"New", "Nouveau"},
	"status.assigned": {"Assigned", "Assigné"},
	"status.pending":  {"Pending", "En attente"},
	"status.resolved": {"Resolved", "Résolu"},
	"status.closed":   {"Closed", "Fermé"},

	"origin.phone":      {"Phone", "Téléphone"},
	"origin.mail":       {"Email", "E-mail"},
	"origin.portal":     {"Portal", "Portail"},
	"origin.monitoring": {"Monitoring", "Supervision"},

	"level.0": {"—", "—"},
	"level.1": {"1 – Critical", "1 – Critique"},
	"level.2": {"2 – High", "2 – Haute"},
	"level.3": {"3 – Medium", "3 – Moyenne"},
	"level.4": {"4 – Low", "4 – Basse"},

	"log.add":    {"Add a log entry", "Ajouter une entrée au journal"},
	"log.which":  {"Log", "Journal"},
	"log.text":   {"Text", "Texte"},
	"log.submit": {"Add", "Ajouter"},
	"log.empty":  {"No entry.", "Aucune entrée."},

	"phonecall.title":    {"Phone calls", "Appels téléphoniques"},
	"phonecall.date":     {"Date", "Date"},
	"phonecall.flow":     {"Direction", "Sens"},
	"phonecall.contact":  {"Contact", "Contact"},
	"phonecall.number":   {"Number", "Numéro"},
	"phonecall.duration": {"Duration", "Durée"},
	"phonecall.note":     {"Note", "Note"},
	"phonecall.seconds":  {"%d s", "%d s"},
	"phonecall.unknown":  {"Unknown contact", "Contact inconnu"},
	"phonecall.none":     {"No phone call.", "Aucun appel téléphonique."},
	"flow.inbound":       {"Inbound", "Entrant"},
	"flow.outbound":      {"Outbound", "Sortant"},
	"nav.phonecalls":     {"Phone calls", "Appels"},
	"phonecall.ticket":   {"Ticket", "Ticket"},
	"phonecall.agent":    {"Agent", "Agent"},
	"phonecall.view":     {"Phone call of %s", "Appel du %s"},
	"phonecall.edit":     {"Edit the note", "Modifier la note"},
	"phonecall.fixed":    {"The direction, contact, agent and ticket of a call are kept as recorded.", "Le sens, le contact, l'agent et le ticket d'un appel restent tels qu'enregistrés."},
	"phonecalls.count":   {"%d phone calls", "%d appels"},
	"phonecalls.mine":    {"My calls", "Mes appels"},
	"phonecalls.from":    {"From", "Du"},
	"phonecalls.to":      {"To", "Au"},
	"phonecalls.filter":  {"Filter", "Filtrer"},
	"phonecalls.agent":   {"Agent", "Agent"},
	"call.title":         {"Call through the phone system (recorded as an outbound call)", "Appeler par le système téléphonique (enregistré comme appel sortant)"},
	"call.number":        {"Call %s", "Appeler le %s"},
	"call.action":        {"Call", "Appeler"},

	"nav.tokens":   {"API tokens", "Jetons d'API"},
	"tokens.title": {"API tokens", "Jetons d'API"},
	"tokens.intro": {"A program, such as a phone system, calls the REST API (/api/v1) with a token: it acts as the token's user, with his rights and organizations.",
		"Un programme, comme un système téléphonique, appelle l'API REST (/api/v1) avec un jeton : il agit comme l'utilisateur du jeton, avec ses droits et ses organisations."},
	"tokens.new":         {"New token", "Nouveau jeton"},
	"tokens.user":        {"User", "Utilisateur"},
	"tokens.name":        {"Name (what the token is for)", "Nom (à quoi sert le jeton)"},
	"tokens.name_short":  {"Name", "Nom"},
	"tokens.create":      {"Create the token", "Créer le jeton"},
	"tokens.created_for": {"New token for %s:", "Nouveau jeton pour %s :"},
	"tokens.copy_now": {"Copy it now: it is not shown again. Programs send it as Authorization: Bearer followed by the token.",
		"Copiez-le maintenant : il ne sera plus affiché. Les programmes l'envoient dans l'en-tête Authorization: Bearer suivi du jeton."},
	"tokens.list":         {"Tokens", "Jetons"},
	"tokens.count":        {"%d tokens", "%d jetons"},
	"tokens.none":         {"No token.", "Aucun jeton."},
	"tokens.id":           {"No.", "N°"},
	"tokens.created":      {"Created", "Créé le"},
	"tokens.last_used":    {"Last used", "Dernière utilisation"},
	"tokens.never":        {"Never", "Jamais"},
	"tokens.status":       {"Status", "Statut"},
	"tokens.active":       {"Active", "Actif"},
	"tokens.revoked_on":   {"Revoked on %s", "Révoqué le %s"},
	"tokens.revoke":       {"Revoke", "Révoquer"},
	"tokens.revoke_label": {"Revoke token %d", "Révoquer le jeton %d"},

	"pop.title":           {"Incoming call", "Appel entrant"},
	"pop.nobody":          {"Nobody was found for this call.", "Personne n'a été trouvé pour cet appel."},
	"pop.all_contacts":    {"All contacts found (%d)", "Tous les contacts trouvés (%d)"},
	"pop.unknown_contact": {"Unknown contact", "Contact inconnu"},
	"pop.open_person":     {"open", "ouvrir"},
	"pop.show_tickets":    {"Show tickets", "Afficher les tickets"},
	"pop.keys": {"Enter creates the first offer for the selected caller; ↑ and ↓ change the caller.",
		"Entrée crée la première proposition pour l'appelant choisi ; ↑ et ↓ changent d'appelant."},
	"pop.request":             {"Ticket of the call", "Ticket de l'appel"},
	"pop.view":                {"View", "Voir"},
	"pop.no_tickets":          {"No ticket.", "Aucun ticket."},
	"pop.count_of":            {"(%d of %d)", "(%d sur %d)"},
	"pop.show_all":            {"Show all %d", "Afficher les %d"},
	"pop.newest_shown":        {"The %d newest are shown.", "Les %d plus récents sont affichés."},
	"pop.log_entry":           {"Log entry", "Entrée de journal"},
	"pop.create.UserRequest":  {"New user request", "Nouvelle demande utilisateur"},
	"pop.create.Incident":     {"New incident", "Nouvel incident"},
	"pop.create.Problem":      {"New problem", "Nouveau problème"},
	"pop.create.Change":       {"New change", "Nouveau changement"},
	"pop.create.Person":       {"New person", "Nouvelle personne"},
	"pop.create.Organization": {"New organization", "Nouvelle organisation"},
	"pop.create.Location":     {"New location", "Nouveau site"},
	"pop.create.PhoneCall":    {"New phone call", "Nouvel appel"},

	"nav.calls":     {"Call log", "Journal d'appels"},
	"nav.telephony": {"Telephony", "Téléphonie"},

	"callstate.ringing":    {"Ringing", "Sonne"},
	"callstate.answered":   {"Answered", "Répondu"},
	"callstate.missed":     {"Missed", "Manqué"},
	"callstate.rejected":   {"Rejected", "Rejeté"},
	"callstate.unanswered": {"Not answered", "Sans réponse"},
	"direction.in":         {"Inbound", "Entrant"},
	"direction.out":        {"Outbound", "Sortant"},

	"calls.title":          {"Call log", "Journal d'appels"},
	"calls.filters":        {"Filter the calls", "Filtrer les appels"},
	"calls.caption":        {"Calls, latest first", "Appels, les plus récents d'abord"},
	"calls.count":          {"%d calls", "%d appels"},
	"calls.none":           {"No call.", "Aucun appel."},
	"calls.started":        {"Time", "Heure"},
	"calls.direction":      {"Direction", "Sens"},
	"calls.number":         {"Number", "Numéro"},
	"calls.caller":         {"Caller", "Appelant"},
	"calls.queue":          {"Queue", "File d'attente"},
	"calls.queue_named":    {"queue %s", "file %s"},
	"calls.agent":          {"Agent", "Agent"},
	"calls.me":             {"Me", "Moi"},
	"calls.state":          {"State", "État"},
	"calls.duration":       {"Duration", "Durée"},
	"calls.actions":        {"Actions", "Actions"},
	"calls.no_number":      {"hidden", "masqué"},
	"calls.not_found":      {"Not found", "Non trouvé"},
	"calls.others":         {"and %d others", "et %d autres"},
	"calls.in_progress":    {"(in progress)", "(en cours)"},
	"calls.voicemail":      {"(voicemail)", "(messagerie)"},
	"calls.call_back":      {"Call back", "Rappeler"},
	"calls.open_pop":       {"Open the pop", "Ouvrir le pop"},
	"calls.settings":       {"My calls", "Mes appels"},
	"calls.settings_saved": {"Your setting is saved.", "Votre réglage est enregistré."},
	"calls.your_extension": {"The phone system knows you as extension %s.",
		"Le système téléphonique vous connaît sous le poste %s."},
	"calls.no_extension": {"You have no extension yet: an administrator sets it on the Telephony page.",
		"Vous n'avez pas encore de poste : un administrateur le définit sur la page Téléphonie."},
	"calls.pop_on_answer": {"When I answer a call, my open ctidesk tab opens the screen pop by itself",
		"Quand je réponds à un appel, mon onglet ctidesk ouvert affiche le pop d'appel de lui-même"},

	"notice.label":    {"Calls", "Appels"},
	"notice.ringing":  {"Incoming call", "Appel entrant"},
	"notice.answered": {"Call answered", "Appel décroché"},
	"notice.missed":   {"Missed call", "Appel manqué"},
	"notice.taken":    {"Answered by %s", "Décroché par %s"},
	"notice.unknown":  {"Unknown caller", "Appelant inconnu"},
	"notice.more":     {"and %d more", "et %d autres"},
	"notice.queue":    {"queue %s", "file %s"},
	"notice.open":     {"Open the pop", "Ouvrir le pop"},
	"notice.log":      {"Call log", "Journal d'appels"},
	"notice.dismiss":  {"Dismiss", "Fermer"},

	"telephony.title": {"Telephony", "Téléphonie"},
	"telephony.intro": {"How phone systems tell ctidesk about calls: their integrations, the agents' extensions, the numbers to reject and the caller ids of outbound calls.",
		"Comment les systèmes téléphoniques informent ctidesk des appels : leurs intégrations, les postes des agents, les numéros à rejeter et les numéros présentés des appels sortants."},
	"telephony.integrations": {"Integrations", "Intégrations"},
	"telephony.integrations_intro": {"A phone system posts its call events to /api/v1/cti/events with its integration's token, which allows nothing else.",
		"Un système téléphonique envoie ses événements d'appel à /api/v1/cti/events avec le jeton de son intégration, qui ne permet rien d'autre."},
	"telephony.integration_name":   {"Name (the phone system)", "Nom (le système téléphonique)"},
	"telephony.create_integration": {"Create the integration", "Créer l'intégration"},
	"telephony.created_for":        {"New integration %s, its token:", "Nouvelle intégration %s, son jeton :"},
	"telephony.webhook_url":        {"The URL to post call events to:", "L'URL où envoyer les événements d'appel :"},
	"telephony.revoke_label":       {"Revoke integration %s", "Révoquer l'intégration %s"},
	"telephony.no_integration":     {"No integration.", "Aucune intégration."},
	"telephony.agents":             {"Agents' extensions", "Postes des agents"},
	"telephony.agents_intro": {"The phone system names agents by extension (or login, or number): a call rings only for the agents it names, and the pop goes to the one who answers.",
		"Le système téléphonique désigne les agents par leur poste (ou leur identifiant, ou leur numéro) : un appel ne sonne que pour les agents désignés, et le pop va à celui qui répond."},
	"telephony.extension":     {"Extension (empty: none)", "Poste (vide : aucun)"},
	"telephony.set_extension": {"Set the extension", "Définir le poste"},
	"telephony.pop_on_answer": {"Pop on answer", "Pop au décroché"},
	"telephony.yes":           {"Yes", "Oui"},
	"telephony.no":            {"No", "Non"},
	"telephony.no_agent":      {"No agent has an extension.", "Aucun agent n'a de poste."},
	"telephony.blocked":       {"Blocked numbers", "Numéros bloqués"},
	"telephony.blocked_intro": {"Inbound calls from these numbers, in any form, are rejected as busy.",
		"Les appels entrants de ces numéros, sous toutes leurs formes, sont rejetés comme occupés."},
	"telephony.note":          {"Note", "Note"},
	"telephony.block":         {"Block the number", "Bloquer le numéro"},
	"telephony.unblock":       {"Unblock", "Débloquer"},
	"telephony.unblock_label": {"Unblock %s", "Débloquer %s"},
	"telephony.no_blocked":    {"No blocked number.", "Aucun numéro bloqué."},
	"telephony.rules":         {"Caller ids of outbound calls", "Numéros présentés des appels sortants"},
	"telephony.rules_intro": {"For an outbound call, the first rule whose pattern matches the number dialled gives the caller id to present; * stands for any digits.",
		"Pour un appel sortant, la première règle dont le motif correspond au numéro composé donne le numéro à présenter ; * remplace des chiffres quelconques."},
	"telephony.pattern":      {"Number pattern (+33*)", "Motif de numéro (+33*)"},
	"telephony.caller_id":    {"Caller id", "Numéro présenté"},
	"telephony.add_rule":     {"Add the rule", "Ajouter la règle"},
	"telephony.remove":       {"Remove", "Supprimer"},
	"telephony.remove_label": {"Remove the rule %s", "Supprimer la règle %s"},
	"telephony.no_rule": {"No rule: the phone system presents its own caller id.",
		"Aucune règle : le système téléphonique présente son propre numéro."},

	"error.home":                 {"Back to the home page", "Retour à l'accueil"},
	"error.invalid.title":        {"Bad request", "Requête incorrecte"},
	"error.invalid.message":      {"The request is not valid.", "La requête n'est pas valide."},
	"error.unauthorized.title":   {"Login required", "Connexion requise"},
	"error.unauthorized.message": {"You must log in.", "Vous devez vous connecter."},
	"error.forbidden.title":      {"Forbidden", "Interdit"},
	"error.forbidden.message":    {"You are not allowed to do this.", "Vous n'avez pas le droit de faire cela."},
	"error.not_found.title":      {"Not found", "Introuvable"},
	"error.not_found.message": {"This page or object does not exist, or you may not see it.",
		"Cette page ou cet objet n'existe pas, ou vous ne pouvez pas le voir."},
	"error.conflict.title":   {"Conflict", "Conflit"},
	"error.conflict.message": {"This conflicts with existing data.", "Cela entre en conflit avec des données existantes."},
	"error.internal.title":   {"Internal error", "Erreur interne"},
	"error.internal.message": {"Something went wrong on our side. Please try again later.",
		"Une erreur s'est produite de notre côté. Veuillez réessayer plus tard."},
}

// errorMessages translates the English messages of domain errors into French:
// {English format, French format}. The English format is the one given to
// desk.FieldErrorf or desk.Errorf; the French format takes the captured
// arguments, as strings, in the same order (use %[2]s to reorder).
var errorMessages = [][2]string{
	// internal/desk
	{"Name is required.", "Le nom est obligatoire."},
	{"Name is longer than 255 characters.", "Le nom dépasse 255 caractères."},
	{"Organization is required.", "L'organisation est obligatoire."},
	{"Status must be active or inactive.", "Le statut doit être actif ou inactif."},
	{"An organization cannot belong to itself.", "Une organisation ne peut pas appartenir à elle-même."},
	{"Last name is required.", "Le nom est obligatoire."},
	{"%s is longer than 255 characters.", "Ce champ (%s) dépasse 255 caractères."},
	{"%q is not an email address.", "%s n'est pas une adresse e-mail."},
	{"%q contains no digit.", "%s ne contient aucun chiffre."},
	{"Agent is required.", "L'agent est obligatoire."},
	{"Flow must be inbound or outbound.", "Le sens doit être entrant ou sortant."},
	{"Number is longer than 64 characters.", "Le numéro dépasse 64 caractères."},
	{"Note is longer than 65,535 characters.", "La note dépasse 65 535 caractères."},
	{"Duration cannot be negative.", "La durée ne peut pas être négative."},
	{"Kind must be one of %s.", "Le type doit être l'un de %s."},
	{"Title is required.", "Le titre est obligatoire."},
	{"Title is longer than 255 characters.", "Le titre dépasse 255 caractères."},
	{"Description is longer than 65,535 characters.", "La description dépasse 65 535 caractères."},
	{"Status must be one of %s.", "Le statut doit être l'un de %s."},
	{"Origin must be one of %s.", "L'origine doit être l'une de %s."},
	{"%s must be between 1 and 4.", "La valeur (%s) doit être comprise entre 1 et 4."},
	{"The log entry is empty.", "L'entrée du journal est vide."},
	{"The log entry is longer than 65,535 characters.", "L'entrée du journal dépasse 65 535 caractères."},
	{"Login must be 1 to 64 letters, digits or . _ @ -.", "L'identifiant doit compter de 1 à 64 lettres, chiffres ou . _ @ -."},
	{"Language must be one of %s.", "La langue doit être l'une de %s."},
	{"A user needs a role.", "Un utilisateur a besoin d'un rôle."},
	{"Unknown role %q; roles are %s.", "Rôle %s inconnu ; les rôles sont %s."},
	{"You must log in.", "Vous devez vous connecter."},
	{"You are not allowed to %s %s objects.", "Vous n'avez pas le droit de faire cela (%s, %s)."},
	{"The password must have at least 8 characters.", "Le mot de passe doit compter au moins 8 caractères."},
	{"The password must have at most 72 bytes.", "Le mot de passe doit compter au plus 72 octets."},
	{"The token name is longer than 100 characters.", "Le nom du jeton dépasse 100 caractères."},
	{"Internal error.", "Erreur interne."},

	// internal/store
	{"This value is already used by another object.", "Cette valeur est déjà utilisée par un autre objet."},
	{"The object is referenced by, or refers to, an object that does not exist or is still in use.",
		"L'objet est référencé par un objet encore utilisé, ou fait référence à un objet qui n'existe pas."},
	{"Location not found.", "Site introuvable."},
	{"Unknown location.", "Site inconnu."},
	{"The location belongs to another organization.", "Le site appartient à une autre organisation."},
	{"Organization not found.", "Organisation introuvable."},
	{"An organization named %q already exists.", "Une organisation nommée %s existe déjà."},
	{"Unknown organization.", "Organisation inconnue."},
	{"Unknown organization %d.", "Organisation %s inconnue."},
	{"An organization cannot belong to one of its own sub-organizations.",
		"Une organisation ne peut pas appartenir à l'une de ses propres sous-organisations."},
	{"Person not found.", "Personne introuvable."},
	{"Unknown person.", "Personne inconnue."},
	{"A person cannot be his own manager.", "Une personne ne peut pas être son propre responsable."},
	{"The person cannot be deleted: %d tickets, %d phone calls and %d users refer to it.",
		"La personne ne peut pas être supprimée : %s tickets, %s appels et %s utilisateurs y font référence."},
	{"Phone call not found.", "Appel introuvable."},
	{"The phone call is already tied to ticket %s.", "L'appel est déjà lié au ticket %s."},
	{"You may not open a session for another user.", "Vous ne pouvez pas ouvrir de session pour un autre utilisateur."},
	{"A session must last at least a second.", "Une session doit durer au moins une seconde."},
	{"User not found.", "Utilisateur introuvable."},
	{"Session not found.", "Session introuvable."},
	{"Session expired.", "Session expirée."},
	{"Choose a user.", "Choisissez un utilisateur."},
	{"The request body is not valid UTF-8.", "Le corps de la requête n'est pas en UTF-8 valide."},
	{"The form holds text that is not valid UTF-8.", "Le formulaire contient du texte qui n'est pas en UTF-8 valide."},
	{"The search is too long: at most %d characters.", "La recherche est trop longue : %s caractères au plus."},
	{"You may not end the sessions of another user.", "Vous ne pouvez pas fermer les sessions d'un autre utilisateur."},
	{"Ticket not found.", "Ticket introuvable."},
	{"Unknown ticket.", "Ticket inconnu."},
	{"The caller belongs to another organization than the ticket.",
		"Le demandeur appartient à une autre organisation que le ticket."},
	{"The log must be %s or %s.", "Le journal doit être %s ou %s."},
	{"The login %q is already taken.", "L'identifiant %s est déjà pris."},
	{"The number %q has fewer than %d significant digits, so nothing is matched.",
		"Le numéro %s compte moins de %s chiffres significatifs : il n'est comparé à aucun autre."},
	{"Callers cannot be looked up by %q; use one of %s.",
		"Impossible de chercher un appelant par %s ; utilisez l'un de ces attributs : %s."},
	{"The %s to look up is empty.", "La valeur à chercher (%s) est vide."},
	{"You may not create an API token for another user.",
		"Vous ne pouvez pas créer de jeton d'API pour un autre utilisateur."},
	{"API token not found.", "Jeton d'API introuvable."},
	{"Unknown API token.", "Jeton d'API inconnu."},
	{"The API token was revoked.", "Le jeton d'API a été révoqué."},

	// internal/desk and internal/store: calls and telephony
	{"The call id is required.", "L'identifiant d'appel est obligatoire."},
	{"The call id is longer than 255 characters.", "L'identifiant d'appel dépasse 255 caractères."},
	{"The direction must be in or out.", "Le sens doit être in (entrant) ou out (sortant)."},
	{"The state must be one of %s.", "L'état doit être l'un de %s."},
	{"The integration name is longer than 100 characters.", "Le nom de l'intégration dépasse 100 caractères."},
	{"The number pattern is required.", "Le motif de numéro est obligatoire."},
	{"The number pattern may hold digits, +, # and * (any digits), at most 64.",
		"Le motif de numéro peut contenir des chiffres, +, # et * (des chiffres quelconques), 64 au plus."},
	{"The caller id is required.", "Le numéro présenté est obligatoire."},
	{"The caller id must be a phone number.", "Le numéro présenté doit être un numéro de téléphone."},
	{"Note is longer than 255 characters.", "La note dépasse 255 caractères."},
	{"The extension is a phone system's name for the agent: at most 64 characters, no space.",
		"Le poste est le nom que le système téléphonique donne à l'agent : 64 caractères au plus, sans espace."},
	{"Call not found.", "Appel introuvable."},
	{"Unknown user.", "Utilisateur inconnu."},
	{"Choose the ticket to tie the call to.", "Choisissez le ticket auquel lier l'appel."},
	{"The call is already tied to ticket %s.", "L'appel est déjà lié au ticket %s."},
	{"Only an administrator may change the telephony settings.",
		"Seul un administrateur peut modifier les réglages de téléphonie."},
	{"Integration not found.", "Intégration introuvable."},
	{"Unknown integration token.", "Jeton d'intégration inconnu."},
	{"The integration token was revoked.", "Le jeton d'intégration a été révoqué."},
	{"The number %q is blocked already.", "Le numéro %s est déjà bloqué."},
	{"The extension %q is another user's.", "Le poste %s est celui d'un autre utilisateur."},
	{"Blocked number not found.", "Numéro bloqué introuvable."},
	{"Caller id rule not found.", "Règle de numéro présenté introuvable."},

	// internal/store, imports
	{"%d is not an organization.", "%s n'est pas une organisation."},
	{"%q is not an organization.", "%s n'est pas une organisation."},
	{"%q is not an organization, and you are not allowed to create organizations.",
		"%s n'est pas une organisation, et vous n'avez pas le droit de créer des organisations."},
	{"%q is not the code of an organization.", "%s n'est le code d'aucune organisation."},
	{"%q is the code of %d organizations.", "%s est le code de %s organisations."},
	{"%d is not a location of the person's organization.", "%s n'est pas un site de l'organisation de la personne."},
	{"%q is not a location of the person's organization.", "%s n'est pas un site de l'organisation de la personne."},
	{"A new person needs an organization (org_name, org_code or org_id).",
		"Une nouvelle personne a besoin d'une organisation (org_name, org_code ou org_id)."},

	// internal/cti
	{"Give at least one of %s.", "Donnez au moins l'un de ces paramètres : %s."},
	{"%q is not a ticket reference or id.", "%s n'est ni une référence ni un identifiant de ticket."},
	{"Unknown lookup parameter %q.", "Paramètre de recherche %s inconnu."},
	// internal/cti: the screen pop
	{"The pop URL lacks the parameter %s, which the configuration requires (url_parameters).",
		"Il manque à l'URL du pop le paramètre %s, que la configuration exige (url_parameters)."},
	{"The pop URL gives nothing to find the caller by: give one of %s.",
		"L'URL du pop ne donne rien pour trouver l'appelant : donnez l'un de ces paramètres : %s."},
	{"The pop offers no creation of %s.", "Le pop ne propose pas de créer un objet %s."},
	{"The screen pop is not configured.", "Le pop d'appel n'est pas configuré."},
	{"This ticket has no caller to call.", "Ce ticket n'a pas d'appelant à appeler."},
	{"Outbound calls are not configured (ecall_parameters).", "Les appels sortants ne sont pas configurés (ecall_parameters)."},
	{"Your user has no contact person to record the call under; ask an administrator to set one.",
		"Votre utilisateur n'a pas de personne de contact sous laquelle enregistrer l'appel ; demandez-en une à un administrateur."},
	{"%s cannot be called on %q.", "%s ne peut pas être appelé sur %s."},
	{"%q is not a date (YYYY-MM-DD).", "%s n'est pas une date (AAAA-MM-JJ)."},
	{"The pop cannot create %s objects.", "Le pop ne peut pas créer d'objets %s."},
	{"%q is not a caller id.", "%s n'est pas un identifiant d'appelant."},
	{"%q is not a caller.", "%s n'est pas un appelant."},
	{"A pop lists the tickets of %d callers at most.", "Un pop liste les tickets de %d appelants au plus."},

	// internal/cti: call events
	{"Invalid event %q: use newCall, answer or hangup.", "Événement %s invalide : utilisez newCall, answer ou hangup."},
	{"Invalid direction %q: use in or out.", "Sens %s invalide : utilisez in ou out."},
	{"%s holds characters that are not text.", "La valeur (%s) contient des caractères qui ne sont pas du texte."},
	{"An event names %d users at most.", "Un événement désigne %s utilisateurs au plus."},
	{"The body is neither a JSON object nor a form.", "Le corps n'est ni un objet JSON ni un formulaire."},
	{"The body holds more than one JSON value.", "Le corps contient plus d'une valeur JSON."},
	{"%s must be a string.", "La valeur (%s) doit être une chaîne."},

	// internal/web
	{"Page not found.", "Page introuvable."},
	{"Choose a user.", "Choisissez un utilisateur."},
	{"%q is not a call state.", "%s n'est pas un état d'appel."},
	{"Call events are not enabled on this server.", "Les événements d'appel ne sont pas activés sur ce serveur."},
	{"An integration token is required: %s/TOKEN, or Authorization: Bearer TOKEN.",
		"Un jeton d'intégration est requis : %s/JETON, ou Authorization: Bearer JETON."},
	{"%q is not a valid identifier.", "%s n'est pas un identifiant valide."},
	{"The form is too large.", "Le formulaire est trop volumineux."},
	{"The form could not be read.", "Le formulaire n'a pas pu être lu."},
	{"The form has expired or did not come from this page. Reload the page and try again.",
		"Le formulaire a expiré ou ne vient pas de cette page. Rechargez la page et réessayez."},
	{"Choose the public or the private log.", "Choisissez le journal public ou le journal privé."},
	{"Choose the user the token acts as.", "Choisissez l'utilisateur au nom duquel le jeton agit."},
}
