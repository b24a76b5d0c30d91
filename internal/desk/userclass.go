package desk

// The classes of users in queries, as iTop names them: User, with the
// attributes of its contact that iTop's User has as external fields, and
// URP_UserOrg, the organizations a user is allowed. They are read as any
// class, and only by who may read users (User.Can): administrators.

// ClassUserOrg is iTop's link of a user to an organization he is allowed
// (desk.User.AllowedOrgIDs); it is part of its user and needs his rights.
const ClassUserOrg = "URP_UserOrg"

// User statuses in queries (iTop's User.status): a user is disabled when an
// administrator disabled him (User.DisabledAt).
const (
	UserEnabled  = "enabled"
	UserDisabled = "disabled"
)

// userClass is iTop's User (ctidesk's users are all iTop's UserLocal: a
// login and a password): its contact is a person, whose name, email and
// organization are the user's external fields. A user belongs to his
// contact's organization; one without a contact, to none.
func userClass() *Class {
	contact := func(name string, t AttributeType, of string) Attribute {
		return Attribute{Name: name, Type: t, Derived: true, ExtKey: "contactid", ExtAttribute: of}
	}
	org := contact("org_id", TypeExtKey, "org_id")
	org.Target = ClassOrganization
	return &Class{Name: ClassUser, Kinds: []string{ClassUser}, Attributes: []Attribute{
		{Name: "id", Type: TypeID},
		{Name: "friendlyname", Type: TypeString, Derived: true},
		{Name: "login", Type: TypeString, Required: true, Naming: true, Order: 1},
		{Name: "contactid", Type: TypeExtKey, Target: ClassPerson, Column: "contact_id", Scope: true},
		contact("contactid_friendlyname", TypeString, "friendlyname"),
		contact("first_name", TypeString, "first_name"),
		contact("last_name", TypeString, "name"),
		contact("email", TypeEmail, "email"),
		org,
		contact("org_name", TypeString, "org_name"),
		{Name: "status", Type: TypeEnum, Derived: true, Values: []string{UserEnabled, UserDisabled}},
		{Name: "language", Type: TypeEnum, Values: Languages},
	}}
}

// userOrgClass is URP_UserOrg: a user and an organization he is allowed,
// seen by who sees both, so that it shows neither a user nor the name of an
// organization the reader does not see.
func userOrgClass() *Class {
	return &Class{Name: ClassUserOrg, Kinds: []string{ClassUserOrg}, Attributes: []Attribute{
		{Name: "id", Type: TypeID},
		{Name: "friendlyname", Type: TypeString, Derived: true},
		{Name: "userid", Type: TypeExtKey, Target: ClassUser, Column: "user_id", Required: true, Scope: true},
		{Name: "userlogin", Type: TypeString, Derived: true, Naming: true, ExtKey: "userid", ExtAttribute: "login"},
		{Name: "allowed_org_id", Type: TypeExtKey, Target: ClassOrganization, Column: "org_id", Required: true, Scope: true},
		{Name: "allowed_org_name", Type: TypeString, Derived: true, Naming: true, ExtKey: "allowed_org_id",
			ExtAttribute: "name"},
	}}
}
