package demo

// The tables the generator draws from. Every company, address and number is
// fictional; names are common ones, chosen to include accents, apostrophes,
// hyphens and particles, which a search and a screen pop must handle.

// Countries the customer organizations are in; each has its own number formats.
const (
	countryUS = iota
	countryFR
	countryUK
	countryDE
	countryCount
)

// city is where a location is; its pool gives the location's phone numbers.
type city struct {
	name    string
	country int
	pool    int // index into the pools of phonePools
	streets []string
	// postal codes, in the city's format
	postcodes []string
	state     string // US only
}

var cities = []city{
	// United States
	{name: "New York", country: countryUS, pool: poolUS212, state: "NY", postcodes: []string{"10001", "10016", "10018", "10036", "10118"},
		streets: []string{"Fifth Avenue", "Madison Avenue", "West 34th Street", "Broadway", "Park Avenue South"}},
	{name: "Seattle", country: countryUS, pool: poolUS206, state: "WA", postcodes: []string{"98101", "98104", "98109", "98121"},
		streets: []string{"Pine Street", "Westlake Avenue North", "2nd Avenue", "Elliott Avenue West"}},
	{name: "Chicago", country: countryUS, pool: poolUS312, state: "IL", postcodes: []string{"60601", "60606", "60611", "60654"},
		streets: []string{"North Michigan Avenue", "West Wacker Drive", "South LaSalle Street", "West Randolph Street"}},
	{name: "Boston", country: countryUS, pool: poolUS617, state: "MA", postcodes: []string{"02108", "02110", "02116", "02210"},
		streets: []string{"Boylston Street", "Atlantic Avenue", "Summer Street", "Tremont Street"}},
	{name: "San Francisco", country: countryUS, pool: poolUS415, state: "CA", postcodes: []string{"94103", "94105", "94107", "94111"},
		streets: []string{"Market Street", "Mission Street", "Howard Street", "Sansome Street"}},
	{name: "Austin", country: countryUS, pool: poolUS512, state: "TX", postcodes: []string{"78701", "78702", "78704", "78758"},
		streets: []string{"Congress Avenue", "East 6th Street", "Research Boulevard", "West 5th Street"}},
	// France
	{name: "Paris", country: countryFR, pool: poolFR1, postcodes: []string{"75002", "75008", "75011", "75015", "92100"},
		streets: []string{"rue de la Paix", "boulevard Haussmann", "rue du Faubourg Saint-Antoine", "rue de Vaugirard", "avenue de l'Opéra"}},
	{name: "Lyon", country: countryFR, pool: poolFR4, postcodes: []string{"69002", "69003", "69007"},
		streets: []string{"rue de la République", "cours Lafayette", "avenue Jean Jaurès", "quai Perrache"}},
	{name: "Marseille", country: countryFR, pool: poolFR4, postcodes: []string{"13001", "13002", "13008"},
		streets: []string{"La Canebière", "rue Paradis", "boulevard Michelet", "quai de Rive-Neuve"}},
	{name: "Nantes", country: countryFR, pool: poolFR2, postcodes: []string{"44000", "44100", "44200"},
		streets: []string{"rue Crébillon", "quai de la Fosse", "boulevard Guist'hau"}},
	{name: "Lille", country: countryFR, pool: poolFR3, postcodes: []string{"59000", "59800"},
		streets: []string{"rue Nationale", "boulevard de la Liberté", "rue Esquermoise"}},
	{name: "Toulouse", country: countryFR, pool: poolFR5, postcodes: []string{"31000", "31200", "31400"},
		streets: []string{"rue d'Alsace-Lorraine", "allée Jean Jaurès", "rue de Metz"}},
	// United Kingdom
	{name: "London", country: countryUK, pool: poolUK20, postcodes: []string{"EC1A 1BB", "EC2V 7HH", "SE1 9SG", "W1D 3QF", "NW1 6XE"},
		streets: []string{"Baker Street", "Fleet Street", "Southwark Street", "Old Street", "Gresham Street"}},
	{name: "Leeds", country: countryUK, pool: poolUK113, postcodes: []string{"LS1 4AP", "LS2 8JS", "LS11 5QN"},
		streets: []string{"Park Row", "Wellington Street", "Boar Lane"}},
	{name: "Manchester", country: countryUK, pool: poolUK161, postcodes: []string{"M1 1AD", "M2 3WQ", "M3 4LZ"},
		streets: []string{"Deansgate", "Piccadilly", "King Street"}},
	{name: "Birmingham", country: countryUK, pool: poolUK121, postcodes: []string{"B1 1BB", "B2 4QA", "B3 2PP"},
		streets: []string{"Colmore Row", "Broad Street", "Newhall Street"}},
	// Germany
	{name: "Berlin", country: countryDE, pool: poolDE30, postcodes: []string{"10117", "10178", "10785"},
		streets: []string{"Friedrichstraße", "Unter den Linden", "Potsdamer Straße", "Karl-Marx-Allee"}},
	{name: "Hamburg", country: countryDE, pool: poolDE40, postcodes: []string{"20095", "20354", "22767"},
		streets: []string{"Mönckebergstraße", "Jungfernstieg", "Große Elbstraße"}},
	{name: "München", country: countryDE, pool: poolDE89, postcodes: []string{"80331", "80333", "80807"},
		streets: []string{"Maximilianstraße", "Leopoldstraße", "Sonnenstraße"}},
	{name: "Frankfurt am Main", country: countryDE, pool: poolDE69, postcodes: []string{"60311", "60313", "60486"},
		streets: []string{"Zeil", "Mainzer Landstraße", "Hanauer Landstraße"}},
	{name: "Köln", country: countryDE, pool: poolDE221, postcodes: []string{"50667", "50672", "50823"},
		streets: []string{"Hohe Straße", "Ehrenstraße", "Venloer Straße"}},
}

// companyTemplate is a customer organization of the fixed list.
type companyTemplate struct {
	name   string
	code   string
	cities []string // first is the head office
	weight int      // relative head count
}

// companies are the customer organizations, in creation order. The first one
// is the scoped demo user's organization.
var companies = []companyTemplate{
	{"Northwind Traders", "NWT", []string{"New York", "Boston", "Chicago"}, 100},
	{"Transports Lefèvre SA", "TLEF", []string{"Lyon", "Marseille"}, 70},
	{"Fourth Coffee Ltd", "4COF", []string{"London", "Manchester"}, 55},
	{"Müller Maschinenbau GmbH", "MMB", []string{"München", "Berlin"}, 60},
	{"Contoso Pharmaceuticals", "CTSO", []string{"Seattle", "San Francisco"}, 90},
	{"Crédit Régional du Littoral", "CRL", []string{"Nantes", "Paris", "Toulouse"}, 80},
	{"Lucerne Publishing", "LUCP", []string{"London"}, 25},
	{"Fabrikam Inc.", "FAB", []string{"Chicago", "Austin"}, 65},
	{"Éditions Lumière", "EDLU", []string{"Paris"}, 20},
	{"Grünwald Logistik AG", "GRLO", []string{"Hamburg", "Frankfurt am Main"}, 45},
	{"Woodgrove Bank", "WGB", []string{"Boston", "New York"}, 75},
	{"Humongous Insurance plc", "HUMI", []string{"Leeds", "Birmingham", "London"}, 50},
	{"Boulangeries Dupont & Fils", "BDF", []string{"Lille"}, 15},
	{"Tailspin Toys", "TST", []string{"Austin"}, 18},
	{"Stadtwerke Nordheim", "SWN", []string{"Köln"}, 30},
	{"Laboratoires Pérignon", "LPER", []string{"Toulouse", "Lyon"}, 35},
	{"Adventure Works Cycles", "AWC", []string{"Seattle"}, 28},
	{"Margie's Travel", "MTRV", []string{"Manchester"}, 12},
	{"Trey Research", "TREY", []string{"San Francisco", "Boston"}, 22},
	{"Hôtel Le Grand Cèdre", "HGC", []string{"Marseille"}, 10},
	{"Bäckerei Schröder KG", "BSKG", []string{"Berlin"}, 8},
	{"Litware Inc.", "LIT", []string{"New York"}, 16},
	{"Coho Winery", "COHO", []string{"San Francisco"}, 9},
	{"Cabinet Médical Saint-Éloi", "CMSE", []string{"Paris"}, 6},
	{"Wingtip Toys", "WTT", []string{"Chicago"}, 14},
	{"Alpine Ski House", "ASH", []string{"München"}, 11},
	{"Blue Yonder Airlines", "BYA", []string{"London", "New York"}, 40},
	{"Wide World Importers", "WWI", []string{"Seattle", "Austin"}, 33},
	{"Société Générale de Nettoyage Côte d'Azur", "SGNC", []string{"Marseille"}, 13},
	{"Relecloud", "RLC", []string{"Boston"}, 19},
}

// inactiveCompanies are the indexes in companies of organizations that no
// longer have a contract: they keep their persons and history.
var inactiveCompanies = map[int]bool{12: true, 19: true, 23: true}

// For organizations beyond the fixed list, names are built from these.
var (
	extraStems      = []string{"Summit", "Harbor", "Cedar", "Granite", "Lakeside", "Meridian", "Silverline", "Beacon", "Riverside", "Oakridge", "Pinnacle", "Bluewater", "Redwood", "Northgate", "Sunrise", "Ironbridge"}
	extraIndustries = []string{"Logistics", "Dental Care", "Engineering", "Foods", "Legal Services", "Architects", "Hotels", "Consulting", "Retail", "Energy", "Printing", "Insurance"}
	extraSuffixes   = [countryCount]string{"Inc.", "SAS", "Ltd", "GmbH"}
	extraCities     = [countryCount][]string{
		{"New York", "Seattle", "Chicago", "Boston", "San Francisco", "Austin"},
		{"Paris", "Lyon", "Marseille", "Nantes", "Lille", "Toulouse"},
		{"London", "Leeds", "Manchester", "Birmingham"},
		{"Berlin", "Hamburg", "München", "Frankfurt am Main", "Köln"},
	}
)

// The service desk: the internal organization of the agents.
var deskOrg = companyTemplate{"IT Service Desk", "ITSD", []string{"Paris", "New York"}, 0}

// deskStaff are the first persons of the service desk; the demo users are
// their contacts, in this order: admin, agent, scoped.
var deskStaff = []struct{ first, last, function string }{
	{"Hélène", "Lefèvre", "Service Desk Manager"},
	{"José", "Muñoz", "Service Desk Analyst"},
	{"Sam", "O'Connor", "Service Desk Analyst"},
}

var deskFunctions = []string{"Service Desk Analyst", "Service Desk Analyst", "Service Desk Analyst",
	"Senior Service Desk Analyst", "Level 2 Support Engineer", "Network Engineer", "Field Technician",
	"Team Lead, Service Desk"}

// First and last names per country. The generator draws mostly from the
// organization's country and sometimes from any.
var firstNames = [countryCount][]string{
	{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
		"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
		"Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Sandra", "Steven", "Ashley",
		"José", "María", "Sofía", "Martín", "Ángel", "Lucía", "Zoë", "Renée", "Chloé", "DeShawn",
		"Mei", "Hiroshi", "Priya", "Aarav", "Thảo", "Ana", "Mohammed", "Fatima", "Kwame", "Olúwaseun"},
	{"Hélène", "Jérôme", "François", "Céline", "Frédéric", "Stéphane", "Léa", "Zoé", "Mélanie", "Anaïs",
		"Gaëlle", "Benoît", "Noël", "Éric", "Amélie", "Clément", "Inès", "Théo", "Maëlle", "Loïc",
		"Camille", "Nicolas", "Julie", "Pierre", "Marie", "Thomas", "Sophie", "Julien", "Isabelle", "Antoine",
		"Jean-Pierre", "Marie-Claire", "Anne-Sophie", "Jean-Baptiste", "Yasmine", "Karim", "Océane", "Raphaël", "Aurélie", "Grégoire"},
	{"Oliver", "Olivia", "George", "Amelia", "Harry", "Isla", "Jack", "Ava", "Charlie", "Emily",
		"Thomas", "Sophie", "Oscar", "Grace", "William", "Lily", "James", "Freya", "Alfie", "Evie",
		"Siobhán", "Seán", "Niamh", "Ciarán", "Aoife", "Rhys", "Ffion", "Dafydd", "Eilidh", "Ruaridh"},
	{"Jürgen", "Jörg", "Björn", "Günter", "Sören", "Käthe", "Uwe", "Anja", "Lukas", "Leonie",
		"Maximilian", "Hannah", "Felix", "Lena", "Jonas", "Marie", "Paul", "Sophie", "Tobias", "Katharina",
		"Łukasz", "Małgorzata", "Dörte", "Ömer", "Ayşe", "Søren", "Åsa", "Matthias", "Ursula", "Heike"},
}

var lastNames = [countryCount][]string{
	{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Muñoz", "Núñez", "Gómez", "Peña", "Ibáñez", "O'Brien", "McAllister", "Smith-Jones", "Van der Berg", "De la Cruz",
		"Nguyen", "Kim", "Patel", "Chen", "Okafor", "Kowalski", "Russo", "Cohen", "Ó Súilleabháin", "Andersson"},
	{"Lefèvre", "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
		"Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent",
		"Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
		"Éluard", "Févre", "Gauthier-Lenoir", "de Saint-Exupéry", "Le Goff", "N'Diaye", "Benoît", "Chevallier", "Perrin", "Rousseau"},
	{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
		"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
		"O'Neill", "MacDonald", "Ffrench", "Llewellyn", "Featherstonehaugh", "Ahmed", "Khan", "Singh", "Okonkwo", "Byrne"},
	{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
		"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
		"Bäcker", "Groß", "Köhler", "Jäger", "von Bülow", "Østergaard", "Wiśniewski", "Yılmaz", "Krüger", "Lindström"},
}

var functions = []string{
	"Accountant", "Accounts Payable Clerk", "Administrative Assistant", "Architect", "Branch Manager",
	"Business Analyst", "Buyer", "Chief Financial Officer", "Customer Service Representative", "Data Analyst",
	"Developer", "Driver", "Engineer", "Executive Assistant", "Facilities Manager", "Financial Controller",
	"Graphic Designer", "HR Assistant", "HR Manager", "Lab Technician", "Lawyer", "Logistics Coordinator",
	"Marketing Manager", "Nurse", "Office Manager", "Operations Manager", "Payroll Specialist", "Pharmacist",
	"Product Manager", "Project Manager", "Quality Manager", "Receptionist", "Sales Manager",
	"Sales Representative", "Store Manager", "Teacher", "Technician", "Trainee", "Warehouse Operator",
	"Chef de projet", "Comptable", "Assistante de direction", "Responsable logistique", "Vertriebsleiter",
	"Sachbearbeiterin", "Geschäftsführer",
}

// Ticket texts. Placeholders in braces are filled from ticketWords.
type ticketTemplate struct {
	title, description string
	monitoring         bool // typically raised by monitoring
}

var ticketTemplates = map[string][]ticketTemplate{
	"UserRequest": {
		{"Cannot print to {floor} floor printer", "Since this morning nothing comes out of the {floor} floor printer; jobs stay in the queue. I tried restarting my PC.", false},
		{"New laptop for a new hire starting Monday", "Please prepare a laptop, an account and a phone for our new colleague, who joins the {dept} team on Monday.", false},
		{"Password reset for {app}", "I forgot my {app} password and I am locked out. Could you reset it?", false},
		{"Access to the {share} shared folder", "I need read and write access to the {share} folder for the quarterly closing. My manager agrees.", false},
		{"Install {software} on my workstation", "Please install {software}; I need it for a customer project.", false},
		{"Outlook keeps asking for my password", "Outlook prompts for my password every few minutes, even after I type it correctly.", false},
		{"Add me to the {dept} mailing list", "I moved to the {dept} department and do not receive its emails yet.", false},
		{"Second monitor not detected", "My second screen stays black when I dock the laptop. The cable seems fine.", false},
		{"Headset for the softphone", "I need a USB headset to take calls with the softphone.", false},
		{"Set up VPN on my home computer", "I will work from home two days a week; please help me set up the VPN.", false},
		{"Mailbox full, please increase my quota", "I get a warning that my mailbox is full and I cannot send emails.", false},
		{"Camera not working in Teams", "Colleagues cannot see me in Teams meetings; the camera light does not turn on.", false},
		{"Order toner for the {floor} floor printer", "The {floor} floor printer shows \"toner low\". Please order a cartridge.", false},
		{"Reset MFA for my new phone", "I changed phones and the authenticator app no longer has my account.", false},
		{"Licence request: {software}", "Our team needs two more {software} licences.", false},
		{"Unlock my account", "My account was locked after too many attempts.", false},
		{"Move my desk phone to room {room}", "I am moving to room {room} next week; my phone and extension should follow.", false},
	},
	"Incident": {
		{"VPN disconnects every 10 minutes", "The VPN drops every 10 minutes or so and I lose my session in {app}. It started yesterday.", false},
		{"{app} is very slow since this morning", "Every screen in {app} takes more than 30 seconds to open. Several colleagues in {dept} have the same problem.", false},
		{"Emails from external senders not received", "Customers tell us they sent emails that we never received. Internal mail works.", false},
		{"Wi-Fi drops in meeting room {room}", "The Wi-Fi keeps dropping in meeting room {room}, especially during video calls.", false},
		{"Cannot log in to {app}: error 500", "{app} shows \"Error 500 - internal server error\" right after the login page.", false},
		{"Blue screen after Windows update", "My laptop shows a blue screen (DRIVER_IRQL_NOT_LESS_OR_EQUAL) since last night's update.", false},
		{"Shared drive {share} not accessible", "The {share} drive shows \"access denied\" for the whole {dept} team.", false},
		{"Phones down at the {site} office", "No desk phone works at the {site} office; mobiles are fine.", false},
		{"Paper jam on the {floor} floor printer", "The {floor} floor printer reports a paper jam but there is no paper stuck.", false},
		{"Disk almost full on {server}", "Monitoring alert: volume D: on {server} is 95% full.", true},
		{"Backup job failed on {server}", "Monitoring alert: the nightly backup of {server} ended with errors.", true},
		{"CPU above 95% on {server}", "Monitoring alert: CPU usage on {server} has been above 95% for 15 minutes.", true},
		{"Website returns 502 Bad Gateway", "Our public website answers 502 Bad Gateway for some pages.", false},
		{"Invoices not exported to {app}", "Yesterday's invoices did not reach {app}; the export job shows no error.", false},
		{"Cannot connect to the Wi-Fi at {site}", "Since this morning nobody at {site} can join the corporate Wi-Fi.", false},
	},
	"Problem": {
		{"Recurring VPN disconnections for remote staff", "Several incidents report VPN sessions dropping every few minutes. Find the root cause.", false},
		{"{app} slowdowns every Monday morning", "{app} is slow each Monday between 8 and 10. Suspect the weekly batch.", false},
		{"Intermittent Wi-Fi loss on the {floor} floor", "Repeated Wi-Fi incidents on the {floor} floor; check access points and channels.", false},
		{"Repeated print spooler crashes on {server}", "The print spooler on {server} stops several times a week.", true},
		{"Mail delays from external senders", "External mail is delayed by up to two hours at times. Investigate the mail gateway.", false},
		{"Disk space on {server} fills up every week", "Logs on {server} grow faster than the rotation removes them.", true},
	},
	"Change": {
		{"Upgrade {app} to version {version}", "Plan and perform the upgrade of {app} to {version}, with a rollback plan and a test by {dept}.", false},
		{"Replace the core switch at {site}", "The core switch at {site} is out of support. Replace it during the maintenance window.", false},
		{"Migrate mailboxes to the new mail platform", "Move the remaining mailboxes of {dept} to the new platform.", false},
		{"Renew the TLS certificate of {host}", "The certificate of {host} expires in 30 days.", false},
		{"Open a firewall rule for {app}", "{app} needs outbound HTTPS to the vendor's update server.", false},
		{"Patch {server} (monthly security updates)", "Apply this month's security updates to {server} and reboot during the window.", false},
		{"Move the {floor} floor printers to the new VLAN", "Re-address the printers of the {floor} floor as part of the network segmentation.", false},
	},
}

var ticketWords = map[string][]string{
	"floor":    {"1st", "2nd", "3rd", "4th", "5th", "ground"},
	"app":      {"SAP", "Salesforce", "the intranet", "Sage 100", "the ERP", "Workday", "the CRM", "the payroll system", "Jira", "SharePoint"},
	"share":    {"Finance", "HR", "Projects", "Marketing", "Quality", "Scans"},
	"software": {"Adobe Acrobat Pro", "Visio", "AutoCAD LT", "Power BI Desktop", "7-Zip", "Notepad++", "Tableau"},
	"dept":     {"Finance", "Sales", "HR", "Logistics", "Marketing", "Purchasing", "Legal", "R&D"},
	"room":     {"A101", "B204", "C3.12", "Everest", "Mont-Blanc", "Rhine", "Thames"},
	"site":     {"Lyon", "Boston", "Leeds", "Hamburg", "Paris", "Austin", "warehouse"},
	"server":   {"srv-fs01", "srv-print02", "srv-sql03", "srv-app04", "srv-dc01", "srv-erp01", "srv-web02"},
	"version":  {"2026.1", "12.4", "8.0 LTS", "5.2", "24H2"},
	"host":     {"portal.example.com", "www.example.com", "vpn.example.net", "mail.example.org"},
}

// Log texts, by who writes them.
var (
	agentPublicTexts = []string{
		"Thank you for your call. We are looking into it.",
		"Could you send us a screenshot of the error message?",
		"We have restarted the service; please tell us whether it works now.",
		"A technician will come to your desk this afternoon.",
		"The issue should be solved now. Please confirm so that we can close the ticket.",
		"We are waiting for the supplier; we will keep you informed.",
		"I tried to call you back at the number on file but got your voicemail.",
		"Done. The change was applied during the maintenance window.",
	}
	callerPublicTexts = []string{
		"It still does not work after a restart.",
		"Yes, it works now, thank you!",
		"Here is the screenshot you asked for.",
		"Could someone call me back? It is urgent, the whole team is blocked.",
		"I will be out of the office until Monday.",
	}
	agentPrivateTexts = []string{
		"Checked the event logs: nothing unusual.",
		"Escalated to the network team.",
		"Known issue, linked to the related problem.",
		"Waiting for the vendor's answer (case 48213).",
		"Workaround applied; root cause still open.",
		"Remote session: reinstalled the driver.",
		"Caller not reachable, left a voicemail.",
		"Approved by the change advisory board.",
	}
	closeTexts = []string{
		"Ticket closed after confirmation by the caller.",
		"Closed: no answer from the caller for 10 days.",
		"Closed: solution applied and confirmed.",
	}
	callNotes = []string{
		"Caller reports the problem and is waiting at the desk.",
		"Called back to check that the fix works.",
		"Gave the caller the workaround over the phone.",
		"Caller asked for an update.",
		"Left a voicemail.",
	}
)
